using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Hotline.TicketApi.Data;

/// <summary>For <c>dotnet ef migrations add … --context SqliteTicketDbContext -o Data/Migrations/Sqlite</c>.</summary>
public sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteTicketDbContext>
{
    public SqliteTicketDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteTicketDbContext>().UseSqlite("Data Source=design.db").Options);
}

/// <summary>For <c>dotnet ef migrations add … --context SqlServerTicketDbContext -o Data/Migrations/SqlServer</c>.</summary>
public sealed class SqlServerDesignTimeFactory : IDesignTimeDbContextFactory<SqlServerTicketDbContext>
{
    public SqlServerTicketDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqlServerTicketDbContext>().UseSqlServer("Server=localhost;Database=Hotline;Trusted_Connection=True;TrustServerCertificate=True").Options);
}

/// <summary>For <c>dotnet ef migrations add … --context PostgreSqlTicketDbContext -o Data/Migrations/PostgreSql</c>.</summary>
public sealed class PostgreSqlDesignTimeFactory : IDesignTimeDbContextFactory<PostgreSqlTicketDbContext>
{
    public PostgreSqlTicketDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgreSqlTicketDbContext>().UseNpgsql("Host=localhost;Database=hotline").Options);
}
