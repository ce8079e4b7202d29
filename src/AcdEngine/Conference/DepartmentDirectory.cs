namespace Hotline.AcdEngine.Conference;

/// <summary>
/// The configured departments, found by id (CTI) or by DTMF code (agent's phone). Replaced as a whole by a configuration
/// reload (<see cref="Replace"/>); a lookup sees either the old list or the new one, never a mix.
/// </summary>
public sealed class DepartmentDirectory
{
    private sealed record Lists(Dictionary<string, DepartmentOptions> ById, Dictionary<string, DepartmentOptions> ByCode);

    private volatile Lists _lists;

    private readonly TimeZoneInfo _zone;

    /// <param name="departments">The configured departments (validated: unique ids and codes).</param>
    /// <param name="options">Ring timeout, attempts and the consult prefix.</param>
    /// <param name="zone">The hotline's zone (<c>Acd:BusinessHours:TimeZone</c>): department hours are local to it.</param>
    public DepartmentDirectory(IEnumerable<DepartmentOptions> departments, ConferenceOptions options, TimeZoneInfo? zone = null)
    {
        _zone = zone ?? TimeZoneInfo.Utc;
        _lists = Index(departments);
        Options = options;
    }

    /// <summary>A reloaded, validated department list (issue 20, live reload); a consult already ringing is not touched.</summary>
    public void Replace(IEnumerable<DepartmentOptions> departments) => _lists = Index(departments);

    private static Lists Index(IEnumerable<DepartmentOptions> departments)
    {
        var list = departments.ToList();
        return new Lists(list.ToDictionary(d => d.Id, StringComparer.Ordinal), list.ToDictionary(d => d.Code, StringComparer.Ordinal));
    }

    public ConferenceOptions Options { get; }

    public IReadOnlyCollection<DepartmentOptions> All => _lists.ById.Values;

    public DepartmentOptions? FindById(string id) => _lists.ById.GetValueOrDefault(id);

    public DepartmentOptions? FindByCode(string code) => _lists.ByCode.GetValueOrDefault(code);

    /// <summary>Within its hours (none configured = always), at the hotline's local time.</summary>
    public bool IsOpen(DepartmentOptions department, DateTimeOffset utcNow) =>
        department.Hours.Length == 0
        || !DepartmentHours.TryParse(department.Hours, out var hours)
        || hours.IsOpen(TimeOnly.FromDateTime(TimeZoneInfo.ConvertTime(utcNow, _zone).DateTime));
}
