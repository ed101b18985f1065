using System.Text;

namespace Sendy.Engine.Aws;

/// <summary>
/// The start of an error answer that is not the service's own error format (a proxy's or load
/// balancer's page, a local stand-in's HTML), for the exception and the log: a 403 then says why.
/// </summary>
internal static class ErrorBody
{
    private const int MaxChars = 300;

    /// <summary>": " and the body's text, whitespace folded and cut at 300 characters; empty for no text.</summary>
    public static string Excerpt(ReadOnlySpan<byte> body) =>
        body.IsEmpty ? "" : Excerpt(Encoding.UTF8.GetString(body[..Math.Min(body.Length, 4 * MaxChars)]));

    public static string Excerpt(string body)
    {
        var text = string.Join(' ', body.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        if (text.Length == 0) return "";
        return ": " + (text.Length > MaxChars ? text[..MaxChars] + "…" : text);
    }
}
