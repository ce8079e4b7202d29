using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Hotline.TicketApi.Data.Migrations.SqlServer
{
    /// <inheritdoc />
    public partial class OrderHourRollups : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_WorkOrders_Metrics",
                table: "WorkOrders");

            migrationBuilder.CreateTable(
                name: "OrderHourRollups",
                columns: table => new
                {
                    Key = table.Column<string>(type: "nvarchar(500)", maxLength: 500, nullable: false),
                    Hour = table.Column<long>(type: "bigint", nullable: false),
                    Dimension = table.Column<string>(type: "nvarchar(400)", maxLength: 400, nullable: false),
                    Value = table.Column<string>(type: "nvarchar(400)", maxLength: 400, nullable: false),
                    DispatchedOnTime = table.Column<int>(type: "int", nullable: false),
                    DispatchedLate = table.Column<int>(type: "int", nullable: false),
                    RepliedOnTime = table.Column<int>(type: "int", nullable: false),
                    RepliedLate = table.Column<int>(type: "int", nullable: false),
                    Reworked = table.Column<int>(type: "int", nullable: false),
                    CalledBackOnTime = table.Column<int>(type: "int", nullable: false),
                    CalledBackLate = table.Column<int>(type: "int", nullable: false),
                    CallbackSatisfied = table.Column<int>(type: "int", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_OrderHourRollups", x => x.Key);
                });

            migrationBuilder.CreateIndex(
                name: "IX_WorkOrders_Status_CreatedHour",
                table: "WorkOrders",
                columns: new[] { "Status", "CreatedHour" });

            migrationBuilder.CreateIndex(
                name: "IX_OrderHourRollups_Dimension_Hour_Value",
                table: "OrderHourRollups",
                columns: new[] { "Dimension", "Hour", "Value" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "OrderHourRollups");

            migrationBuilder.DropIndex(
                name: "IX_WorkOrders_Status_CreatedHour",
                table: "WorkOrders");

            migrationBuilder.CreateIndex(
                name: "IX_WorkOrders_Metrics",
                table: "WorkOrders",
                columns: new[] { "CreatedHour", "DepartmentId", "Category", "OwnerAgentId", "Status", "DispatchedOnTime", "RepliedOnTime", "CalledBackOnTime", "ReworkCount", "CallbackSatisfaction", "DispatchDueAt", "DeadlineAt", "CallbackDueAt" });
        }
    }
}
