using NpgsqlTypes;

namespace Hotline.TicketApi.Ingest;

/// <summary>
/// A table's columns for PostgreSQL's whole-batch statements (<see cref="PostgresBatchStatements"/>): each column of a
/// batch's rows travels as one typed array parameter (binary, no SQL text per row) and <c>unnest(…)</c> turns the arrays
/// back into rows, so a batch of any size is one statement of a few parameters, parsed and planned once per batch.
/// </summary>
internal sealed class ArrayColumns<TRow>
{
    private readonly List<Column> _columns = [];

    public ArrayColumns<TRow> Text(string name, Func<TRow, string?> get) => Add(name, "text", NpgsqlDbType.Text, get);
    public ArrayColumns<TRow> Int(string name, Func<TRow, int> get) => Add(name, "integer", NpgsqlDbType.Integer, get);
    public ArrayColumns<TRow> NullableInt(string name, Func<TRow, int?> get) => Add(name, "integer", NpgsqlDbType.Integer, get);
    public ArrayColumns<TRow> Long(string name, Func<TRow, long> get) => Add(name, "bigint", NpgsqlDbType.Bigint, get);
    public ArrayColumns<TRow> NullableLong(string name, Func<TRow, long?> get) => Add(name, "bigint", NpgsqlDbType.Bigint, get);
    public ArrayColumns<TRow> Bool(string name, Func<TRow, bool> get) => Add(name, "boolean", NpgsqlDbType.Boolean, get);
    public ArrayColumns<TRow> Time(string name, Func<TRow, DateTime> get) => Add(name, "timestamptz", NpgsqlDbType.TimestampTz, get);
    public ArrayColumns<TRow> NullableTime(string name, Func<TRow, DateTime?> get) => Add(name, "timestamptz", NpgsqlDbType.TimestampTz, get);
    public ArrayColumns<TRow> Bytes(string name, Func<TRow, byte[]> get) => Add(name, "bytea", NpgsqlDbType.Bytea, get);

    public IReadOnlyList<string> Names => [.. _columns.Select(c => c.Name)];

    public int Count => _columns.Count;

    /// <summary><c>unnest(@pF::type[], …) AS alias("Column", …)</c>, parameters numbered from <paramref name="first"/>.</summary>
    public string Unnest(string alias, int first = 0) =>
        $"unnest({string.Join(", ", _columns.Select((c, i) => $"@p{first + i}::{c.SqlType}[]"))}) AS {alias}({string.Join(", ", _columns.Select(c => Quote(c.Name)))})";

    /// <summary>The quoted column names, optionally prefixed by a table alias.</summary>
    public string List(string? alias = null) => string.Join(", ", _columns.Select(c => alias is null ? Quote(c.Name) : $"{alias}.{Quote(c.Name)}"));

    /// <summary>One typed array per column, in column order, for <paramref name="rows"/>.</summary>
    public IEnumerable<(NpgsqlDbType Type, Array Values)> Arrays(IReadOnlyList<TRow> rows) =>
        _columns.Select(c => (NpgsqlDbType.Array | c.Type, c.Build(rows)));

    private ArrayColumns<TRow> Add<TValue>(string name, string sqlType, NpgsqlDbType type, Func<TRow, TValue> get)
    {
        _columns.Add(new Column<TValue>(name, sqlType, type, get));
        return this;
    }

    internal static string Quote(string name) => $"\"{name}\"";

    private abstract record Column(string Name, string SqlType, NpgsqlDbType Type)
    {
        public abstract Array Build(IReadOnlyList<TRow> rows);
    }

    private sealed record Column<TValue>(string Name, string SqlType, NpgsqlDbType Type, Func<TRow, TValue> Get) : Column(Name, SqlType, Type)
    {
        public override Array Build(IReadOnlyList<TRow> rows)
        {
            var values = new TValue[rows.Count];
            for (var i = 0; i < values.Length; i++) values[i] = Get(rows[i]);
            return values;
        }
    }
}
