using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Hotline.TicketApi.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class RuleBooks : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_OrderHourRollups_Covering",
                table: "OrderHourRollups");

            migrationBuilder.AddColumn<int>(
                name: "Returned",
                table: "OrderHourRollups",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<DateTime>(
                name: "RatedAt",
                table: "Calls",
                type: "TEXT",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_OrderHourRollups_Covering",
                table: "OrderHourRollups",
                columns: new[] { "Dimension", "Hour", "Value", "DispatchedOnTime", "DispatchedLate", "RepliedOnTime", "RepliedLate", "Reworked", "CalledBackOnTime", "CalledBackLate", "CallbackSatisfied", "Registered", "CallerAnswered", "SmsReceived", "SmsAnsweredSameDay", "HotlineComplaints", "Returned" });

            migrationBuilder.CreateIndex(
                name: "IX_Calls_RatedAt",
                table: "Calls",
                column: "RatedAt");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_OrderHourRollups_Covering",
                table: "OrderHourRollups");

            migrationBuilder.DropIndex(
                name: "IX_Calls_RatedAt",
                table: "Calls");

            migrationBuilder.DropColumn(
                name: "Returned",
                table: "OrderHourRollups");

            migrationBuilder.DropColumn(
                name: "RatedAt",
                table: "Calls");

            migrationBuilder.CreateIndex(
                name: "IX_OrderHourRollups_Covering",
                table: "OrderHourRollups",
                columns: new[] { "Dimension", "Hour", "Value", "DispatchedOnTime", "DispatchedLate", "RepliedOnTime", "RepliedLate", "Reworked", "CalledBackOnTime", "CalledBackLate", "CallbackSatisfied", "Registered", "CallerAnswered", "SmsReceived", "SmsAnsweredSameDay", "HotlineComplaints" });
        }
    }
}
