using System.Text;

namespace Sendy.Console.Tests.Exports;

/// <summary>Reads RFC 4180 CSV back (quoted fields, doubled quotes, CRLF), as a spreadsheet would.</summary>
public static class CsvText
{
    public static List<string[]> Parse(byte[] file)
    {
        Assert.Equal(new byte[] { 0xEF, 0xBB, 0xBF }, file[..3]); // Excel needs the BOM to read UTF-8
        var text = Encoding.UTF8.GetString(file[3..]);
        var rows = new List<string[]>();
        var fields = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"') { field.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else field.Append(c);
            }
            else if (c == '"') quoted = true;
            else if (c == ',') { fields.Add(field.ToString()); field.Clear(); }
            else if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
            {
                fields.Add(field.ToString());
                field.Clear();
                rows.Add([.. fields]);
                fields.Clear();
                i++;
            }
            else field.Append(c);
        }
        Assert.True(field.Length == 0 && fields.Count == 0, "the file ends with a line break");
        return rows;
    }
}
