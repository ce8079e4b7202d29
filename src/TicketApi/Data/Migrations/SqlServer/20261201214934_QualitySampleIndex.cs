using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Hotline.TicketApi.Data.Migrations.SqlServer
{
    /// <inheritdoc />
    public partial class QualitySampleIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_Calls_QualitySample",
                table: "Calls",
                columns: new[] { "AgentId", "OfferedAt", "CallId" },
                filter: "\"AgentId\" IS NOT NULL AND \"AnsweredAt\" IS NOT NULL AND \"Recording\" IS NOT NULL AND \"Recording\" <> ''");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Calls_QualitySample",
                table: "Calls");
        }
    }
}
