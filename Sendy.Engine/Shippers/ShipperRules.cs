using System.Net.Mail;
using Sendy.Engine.Deliveries;

namespace Sendy.Engine.Shippers;

public enum ShipperError
{
    NameRequired,
    NameTooLong,
    NameTaken,
    ContactNameTooLong,
    EmailInvalid,
    PhoneInvalid,
    LocaleInvalid,
    ChannelUnknown,
    UnknownShipper,
}

/// <summary>One refused field and why; <see cref="Detail"/> is the offending value where that helps.</summary>
public sealed record ShipperProblem(string Field, ShipperError Error, string? Detail = null);

/// <summary>What a shipper may look like; the lengths are the columns' (SendyDbContext).</summary>
public static class ShipperRules
{
    public const int MaxName = 200;
    public const int MaxEmail = 254;

    public static List<ShipperProblem> Check(ShipperInput input)
    {
        var problems = new List<ShipperProblem>();
        if (string.IsNullOrWhiteSpace(input.Name) || !Storage.StoredText.IsClean(input.Name)) problems.Add(new("name", ShipperError.NameRequired));
        else if (input.Name.Trim().Length > MaxName) problems.Add(new("name", ShipperError.NameTooLong, MaxName.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        if (input.ContactName is { Length: > MaxName } || input.ContactName is not null && !Storage.StoredText.IsClean(input.ContactName)) problems.Add(new("contactName", ShipperError.ContactNameTooLong, MaxName.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        if (input.ContactEmail is { } email && (email.Length > MaxEmail || !MailAddress.TryCreate(email, out _)))
            problems.Add(new("contactEmail", ShipperError.EmailInvalid));
        if (input.ContactPhone is { } phone && !PhoneNumbers.E164().IsMatch(phone)) problems.Add(new("contactPhone", ShipperError.PhoneInvalid));
        if (input.Locale is not (null or "ko" or "en")) problems.Add(new("locale", ShipperError.LocaleInvalid));
        foreach (var channel in input.NotifyBy ?? [])
            if (!RecipientChannel.IsKnown(channel)) problems.Add(new("notifyBy", ShipperError.ChannelUnknown, channel));
        return problems;
    }
}
