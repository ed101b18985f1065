namespace Sendy.Engine.Storage;

/// <summary>
/// Free text people type (names, addresses, notes) as we store it: no control characters. PostgreSQL
/// refuses NUL in text outright (a request carrying one would fail at the insert), and the rest are
/// never meant in a name and break the pages and e-mails that show it. Notes may span lines.
/// </summary>
public static class StoredText
{
    public static bool IsClean(string text, bool multiline = false) =>
        !text.Any(c => char.IsControl(c) && !(multiline && c is '\n' or '\r' or '\t'));
}
