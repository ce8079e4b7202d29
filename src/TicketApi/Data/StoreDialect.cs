using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace Hotline.TicketApi.Data;

/// <summary>The SQL flavour of the configured store (<c>Database:Provider</c>), for the few statements written by hand.</summary>
public enum StoreDialect
{
    Sqlite,
    SqlServer,
    PostgreSql,
}

public static class StoreDialects
{
    public static StoreDialect Of(DatabaseFacade database) =>
        database.IsSqlServer() ? StoreDialect.SqlServer
        : database.IsNpgsql() ? StoreDialect.PostgreSql
        : StoreDialect.Sqlite;
}
