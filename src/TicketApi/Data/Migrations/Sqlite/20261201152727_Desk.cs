using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Hotline.TicketApi.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Desk : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "AgentId",
                table: "ApiKeys",
                type: "TEXT",
                maxLength: 64,
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_WorkOrders_CallerNumber_CreatedAt",
                table: "WorkOrders",
                columns: new[] { "CallerNumber", "CreatedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_Calls_CallerNumber_OfferedAt",
                table: "Calls",
                columns: new[] { "CallerNumber", "OfferedAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_WorkOrders_CallerNumber_CreatedAt",
                table: "WorkOrders");

            migrationBuilder.DropIndex(
                name: "IX_Calls_CallerNumber_OfferedAt",
                table: "Calls");

            migrationBuilder.DropColumn(
                name: "AgentId",
                table: "ApiKeys");
        }
    }
}
