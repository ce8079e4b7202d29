using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Hotline.TicketApi.Data.Migrations.SqlServer
{
    /// <inheritdoc />
    public partial class OverdueSupervision : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_OrderHourRollups_Covering",
                table: "OrderHourRollups");

            migrationBuilder.AddColumn<DateTime>(
                name: "OverdueFlaggedAt",
                table: "WorkOrders",
                type: "datetime2",
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "OverdueFlaggedFor",
                table: "WorkOrders",
                type: "datetime2",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "FlaggedOverdue",
                table: "OrderHourRollups",
                type: "int",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.CreateIndex(
                name: "IX_OrderHourRollups_Covering",
                table: "OrderHourRollups",
                columns: new[] { "Dimension", "Hour", "Value", "DispatchedOnTime", "DispatchedLate", "RepliedOnTime", "RepliedLate", "Reworked", "CalledBackOnTime", "CalledBackLate", "CallbackSatisfied", "Registered", "CallerAnswered", "SmsReceived", "SmsAnsweredSameDay", "HotlineComplaints", "Returned", "FlaggedOverdue" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_OrderHourRollups_Covering",
                table: "OrderHourRollups");

            migrationBuilder.DropColumn(
                name: "OverdueFlaggedAt",
                table: "WorkOrders");

            migrationBuilder.DropColumn(
                name: "OverdueFlaggedFor",
                table: "WorkOrders");

            migrationBuilder.DropColumn(
                name: "FlaggedOverdue",
                table: "OrderHourRollups");

            migrationBuilder.CreateIndex(
                name: "IX_OrderHourRollups_Covering",
                table: "OrderHourRollups",
                columns: new[] { "Dimension", "Hour", "Value", "DispatchedOnTime", "DispatchedLate", "RepliedOnTime", "RepliedLate", "Reworked", "CalledBackOnTime", "CalledBackLate", "CallbackSatisfied", "Registered", "CallerAnswered", "SmsReceived", "SmsAnsweredSameDay", "HotlineComplaints", "Returned" });
        }
    }
}
