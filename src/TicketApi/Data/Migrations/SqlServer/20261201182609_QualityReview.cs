using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Hotline.TicketApi.Data.Migrations.SqlServer
{
    /// <inheritdoc />
    public partial class QualityReview : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "QualityDraws",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("SqlServer:Identity", "1, 1"),
                    Month = table.Column<string>(type: "nvarchar(7)", maxLength: 7, nullable: false),
                    AgentId = table.Column<string>(type: "nvarchar(64)", maxLength: 64, nullable: false),
                    Draw = table.Column<int>(type: "int", nullable: false),
                    DrawnBy = table.Column<string>(type: "nvarchar(400)", maxLength: 400, nullable: false),
                    DrawnAt = table.Column<DateTime>(type: "datetime2", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_QualityDraws", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "QualityScores",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("SqlServer:Identity", "1, 1"),
                    CallId = table.Column<string>(type: "nvarchar(64)", maxLength: 64, nullable: false),
                    AgentId = table.Column<string>(type: "nvarchar(64)", maxLength: 64, nullable: false),
                    CallOfferedAt = table.Column<DateTime>(type: "datetime2", nullable: false),
                    Greeting = table.Column<int>(type: "int", nullable: false),
                    Attitude = table.Column<int>(type: "int", nullable: false),
                    Accuracy = table.Column<int>(type: "int", nullable: false),
                    HoldUsage = table.Column<int>(type: "int", nullable: false),
                    Total = table.Column<int>(type: "int", nullable: false),
                    Comment = table.Column<string>(type: "nvarchar(2000)", maxLength: 2000, nullable: true),
                    ScoredBy = table.Column<string>(type: "nvarchar(400)", maxLength: 400, nullable: false),
                    ScoredByRole = table.Column<string>(type: "nvarchar(400)", maxLength: 400, nullable: false),
                    ScoredAt = table.Column<DateTime>(type: "datetime2", nullable: false),
                    Current = table.Column<bool>(type: "bit", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_QualityScores", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_Calls_AgentId_OfferedAt",
                table: "Calls",
                columns: new[] { "AgentId", "OfferedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_QualityDraws_Month_AgentId_Draw",
                table: "QualityDraws",
                columns: new[] { "Month", "AgentId", "Draw" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_QualityScores_CallId_Current",
                table: "QualityScores",
                columns: new[] { "CallId", "Current" });

            migrationBuilder.CreateIndex(
                name: "IX_QualityScores_Current_CallOfferedAt_AgentId",
                table: "QualityScores",
                columns: new[] { "Current", "CallOfferedAt", "AgentId" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "QualityDraws");

            migrationBuilder.DropTable(
                name: "QualityScores");

            migrationBuilder.DropIndex(
                name: "IX_Calls_AgentId_OfferedAt",
                table: "Calls");
        }
    }
}
