using System.Text;

namespace Hotline.HotlineCtl;

/// <summary>Plain-text table with aligned columns (like <c>asterisk -rx "core show channels"</c>); empty cells print "-".</summary>
public static class TextTable
{
    public static string Render(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string?>> rows)
    {
        var cells = rows.Select(r => r.Select(c => string.IsNullOrEmpty(c) ? "-" : Clean(c)).ToArray()).ToList();
        var widths = headers.Select((h, i) => Math.Max(h.Length, cells.Count == 0 ? 0 : cells.Max(r => i < r.Length ? r[i].Length : 0))).ToArray();
        var text = new StringBuilder();
        Line(text, headers, widths);
        foreach (var r in cells) Line(text, r, widths);
        return text.ToString();
    }

    private static void Line(StringBuilder text, IReadOnlyList<string> cells, int[] widths)
    {
        var line = new StringBuilder();
        for (var i = 0; i < widths.Length; i++)
        {
            var cell = i < cells.Count ? cells[i] : "-";
            line.Append(i == widths.Length - 1 ? cell : cell.PadRight(widths[i] + 2));
        }
        text.Append(line.ToString().TrimEnd()).Append('\n');
    }

    /// <summary>No control characters from the engine's data (a SIP user agent string) reach the operator's terminal.</summary>
    private static string Clean(string s) => string.Concat(s.Select(ch => char.IsControl(ch) ? '?' : ch));
}
