using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Hotline.TicketApi.Data.Migrations.SqlServer
{
    /// <inheritdoc />
    public partial class NatureListIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_WorkOrders_Nature_CreatedAt",
                table: "WorkOrders",
                columns: new[] { "Nature", "CreatedAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_WorkOrders_Nature_CreatedAt",
                table: "WorkOrders");
        }
    }
}
