using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Hotline.TicketApi.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class IndicatorsKeysListIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_OrderHourRollups_Covering",
                table: "OrderHourRollups");

            migrationBuilder.AddColumn<bool>(
                name: "AboutHotline",
                table: "WorkOrders",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<DateTime>(
                name: "CallerAnsweredAt",
                table: "WorkOrders",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "CallerAnsweredSameDay",
                table: "WorkOrders",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "ReceivedDayEndsAt",
                table: "WorkOrders",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "CallerAnswered",
                table: "OrderHourRollups",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<int>(
                name: "HotlineComplaints",
                table: "OrderHourRollups",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<int>(
                name: "Registered",
                table: "OrderHourRollups",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<int>(
                name: "SmsAnsweredSameDay",
                table: "OrderHourRollups",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<int>(
                name: "SmsReceived",
                table: "OrderHourRollups",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<string>(
                name: "CreatedBy",
                table: "ApiKeys",
                type: "TEXT",
                maxLength: 400,
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "RevokedAt",
                table: "ApiKeys",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "RevokedBy",
                table: "ApiKeys",
                type: "TEXT",
                maxLength: 400,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "RevokedReason",
                table: "ApiKeys",
                type: "TEXT",
                maxLength: 400,
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_WorkOrders_DepartmentId_Status_CreatedAt",
                table: "WorkOrders",
                columns: new[] { "DepartmentId", "Status", "CreatedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_WorkOrders_Status_CreatedAt",
                table: "WorkOrders",
                columns: new[] { "Status", "CreatedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_WorkOrders_Status_DispatchDueAt",
                table: "WorkOrders",
                columns: new[] { "Status", "DispatchDueAt" });

            migrationBuilder.CreateIndex(
                name: "IX_OrderHourRollups_Covering",
                table: "OrderHourRollups",
                columns: new[] { "Dimension", "Hour", "Value", "DispatchedOnTime", "DispatchedLate", "RepliedOnTime", "RepliedLate", "Reworked", "CalledBackOnTime", "CalledBackLate", "CallbackSatisfied", "Registered", "CallerAnswered", "SmsReceived", "SmsAnsweredSameDay", "HotlineComplaints" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_WorkOrders_DepartmentId_Status_CreatedAt",
                table: "WorkOrders");

            migrationBuilder.DropIndex(
                name: "IX_WorkOrders_Status_CreatedAt",
                table: "WorkOrders");

            migrationBuilder.DropIndex(
                name: "IX_WorkOrders_Status_DispatchDueAt",
                table: "WorkOrders");

            migrationBuilder.DropIndex(
                name: "IX_OrderHourRollups_Covering",
                table: "OrderHourRollups");

            migrationBuilder.DropColumn(
                name: "AboutHotline",
                table: "WorkOrders");

            migrationBuilder.DropColumn(
                name: "CallerAnsweredAt",
                table: "WorkOrders");

            migrationBuilder.DropColumn(
                name: "CallerAnsweredSameDay",
                table: "WorkOrders");

            migrationBuilder.DropColumn(
                name: "ReceivedDayEndsAt",
                table: "WorkOrders");

            migrationBuilder.DropColumn(
                name: "CallerAnswered",
                table: "OrderHourRollups");

            migrationBuilder.DropColumn(
                name: "HotlineComplaints",
                table: "OrderHourRollups");

            migrationBuilder.DropColumn(
                name: "Registered",
                table: "OrderHourRollups");

            migrationBuilder.DropColumn(
                name: "SmsAnsweredSameDay",
                table: "OrderHourRollups");

            migrationBuilder.DropColumn(
                name: "SmsReceived",
                table: "OrderHourRollups");

            migrationBuilder.DropColumn(
                name: "CreatedBy",
                table: "ApiKeys");

            migrationBuilder.DropColumn(
                name: "RevokedAt",
                table: "ApiKeys");

            migrationBuilder.DropColumn(
                name: "RevokedBy",
                table: "ApiKeys");

            migrationBuilder.DropColumn(
                name: "RevokedReason",
                table: "ApiKeys");

            migrationBuilder.CreateIndex(
                name: "IX_OrderHourRollups_Covering",
                table: "OrderHourRollups",
                columns: new[] { "Dimension", "Hour", "Value", "DispatchedOnTime", "DispatchedLate", "RepliedOnTime", "RepliedLate", "Reworked", "CalledBackOnTime", "CalledBackLate", "CallbackSatisfied" });
        }
    }
}
