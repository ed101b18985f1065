using System.Net;
using System.Text.Json;
using Sendy.Engine.Aws;

namespace Sendy.Engine.Streams.Kinesis;

/// <summary>Turns a Kinesis error answer into the stream's typed exceptions.</summary>
public static class KinesisErrors
{
    public static StreamException FromResponse(string operation, HttpStatusCode status, ReadOnlySpan<byte> body)
    {
        (string? type, string? message) = ReadError(body);
        int code = (int)status;

        if (type is null)
        {
            // kinesalite answers an oversized request with 413 and no body.
            if (status == HttpStatusCode.RequestEntityTooLarge)
            {
                return new StreamValidationException($"{operation}: request too large (HTTP 413).", "RequestEntityTooLarge");
            }

            // Not a Kinesis error (a proxy's or a load balancer's page, moto's HTML): its text says why.
            string said = ErrorBody.Excerpt(body);
            return code >= 500
                ? new StreamUnavailableException($"{operation}: HTTP {code} from the stream service{said}.")
                : new StreamException($"{operation}: HTTP {code} without an error type{said}.", $"Http{code}");
        }

        string text = $"{operation}: {type}: {message ?? "(no message)"}";
        return type switch
        {
            "ProvisionedThroughputExceededException" => new ProvisionedThroughputExceededException(text),
            // LimitExceeded is the control-plane throttle (e.g. 5 GetShardIterator/s per shard): same remedy, back off.
            "LimitExceededException" => new ProvisionedThroughputExceededException(text),
            "ExpiredIteratorException" => new ExpiredIteratorException(text),
            "ResourceNotFoundException" => new ResourceNotFoundException(text),
            "ResourceInUseException" => new ResourceInUseException(text),
            "ValidationException" or "InvalidArgumentException" or "SerializationException" or "UnknownOperationException"
                => new StreamValidationException(text, type),
            "InternalFailure" or "ServiceUnavailable" or "ServiceUnavailableException" or "ThrottlingException"
                => new StreamUnavailableException(text),
            _ when code >= 500 => new StreamUnavailableException(text),
            _ => new StreamException(text, type),
        };
    }

    /// <summary>"__type" without any "namespace#" prefix; the message from "message" or kinesalite's "Message".</summary>
    internal static (string? Type, string? Message) ReadError(ReadOnlySpan<byte> body)
    {
        if (body.IsEmpty)
        {
            return (null, null);
        }

        try
        {
            var reader = new Utf8JsonReader(body);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return (null, null);
            }

            string? type = null;
            string? message = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                bool isType = reader.ValueTextEquals("__type"u8);
                bool isMessage = reader.ValueTextEquals("message"u8) || reader.ValueTextEquals("Message"u8);
                reader.Read();
                if (reader.TokenType == JsonTokenType.String && (isType || isMessage))
                {
                    if (isType)
                    {
                        type = reader.GetString();
                    }
                    else
                    {
                        message ??= reader.GetString();
                    }
                }
                else
                {
                    reader.Skip();
                }
            }

            if (type is not null)
            {
                int hash = type.LastIndexOf('#');
                if (hash >= 0)
                {
                    type = type[(hash + 1)..];
                }
            }

            return (string.IsNullOrEmpty(type) ? null : type, message);
        }
        catch (JsonException)
        {
            return (null, null);
        }
    }
}
