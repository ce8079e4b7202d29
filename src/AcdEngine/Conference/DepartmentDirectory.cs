namespace Hotline.AcdEngine.Conference;

/// <summary>The configured departments, found by id (CTI) or by DTMF code (agent's phone). Immutable after start.</summary>
public sealed class DepartmentDirectory
{
    private readonly Dictionary<string, DepartmentOptions> _byId;
    private readonly Dictionary<string, DepartmentOptions> _byCode;

    private readonly TimeZoneInfo _zone;

    /// <param name="departments">The configured departments (validated: unique ids and codes).</param>
    /// <param name="options">Ring timeout, attempts and the consult prefix.</param>
    /// <param name="zone">The hotline's zone (<c>Acd:BusinessHours:TimeZone</c>): department hours are local to it.</param>
    public DepartmentDirectory(IEnumerable<DepartmentOptions> departments, ConferenceOptions options, TimeZoneInfo? zone = null)
    {
        _zone = zone ?? TimeZoneInfo.Utc;
        var list = departments.ToList();
        _byId = list.ToDictionary(d => d.Id, StringComparer.Ordinal);
        _byCode = list.ToDictionary(d => d.Code, StringComparer.Ordinal);
        Options = options;
    }

    public ConferenceOptions Options { get; }

    public IReadOnlyCollection<DepartmentOptions> All => _byId.Values;

    public DepartmentOptions? FindById(string id) => _byId.GetValueOrDefault(id);

    public DepartmentOptions? FindByCode(string code) => _byCode.GetValueOrDefault(code);

    /// <summary>Within its hours (none configured = always), at the hotline's local time.</summary>
    public bool IsOpen(DepartmentOptions department, DateTimeOffset utcNow) =>
        department.Hours.Length == 0
        || !DepartmentHours.TryParse(department.Hours, out var hours)
        || hours.IsOpen(TimeOnly.FromDateTime(TimeZoneInfo.ConvertTime(utcNow, _zone).DateTime));
}
