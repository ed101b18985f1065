namespace Sendy.Console.Components.Pages.Admin;

/// <summary>Messages per form field ("" for the form as a whole), already in the admin's language.</summary>
public sealed class FleetFormErrors
{
    private readonly Dictionary<string, List<string>> _byField = new(StringComparer.Ordinal);

    public bool Any => _byField.Count > 0;

    public bool Has(string field) => _byField.ContainsKey(field);

    public string? Text(string field) => _byField.TryGetValue(field, out var messages) ? string.Join(" ", messages) : null;

    /// <summary>Adds a message once (Identity reports a taken email as both DuplicateEmail and DuplicateUserName).</summary>
    public void Add(string field, string message)
    {
        if (!_byField.TryGetValue(field, out var messages)) _byField[field] = messages = [];
        if (!messages.Contains(message)) messages.Add(message);
    }

    public void Clear() => _byField.Clear();
}
