using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Hotline.TicketApi.Data.Migrations.PostgreSql
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
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    Month = table.Column<string>(type: "character varying(7)", maxLength: 7, nullable: false),
                    AgentId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Draw = table.Column<int>(type: "integer", nullable: false),
                    DrawnBy = table.Column<string>(type: "character varying(400)", maxLength: 400, nullable: false),
                    DrawnAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
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
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    CallId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    AgentId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    CallOfferedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    Greeting = table.Column<int>(type: "integer", nullable: false),
                    Attitude = table.Column<int>(type: "integer", nullable: false),
                    Accuracy = table.Column<int>(type: "integer", nullable: false),
                    HoldUsage = table.Column<int>(type: "integer", nullable: false),
                    Total = table.Column<int>(type: "integer", nullable: false),
                    Comment = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    ScoredBy = table.Column<string>(type: "character varying(400)", maxLength: 400, nullable: false),
                    ScoredByRole = table.Column<string>(type: "character varying(400)", maxLength: 400, nullable: false),
                    ScoredAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    Current = table.Column<bool>(type: "boolean", nullable: false)
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
