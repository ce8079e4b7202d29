using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Hotline.TicketApi.Data.Migrations.SqlServer
{
    /// <inheritdoc />
    public partial class CoveringRollupIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_OrderHourRollups_Dimension_Hour_Value",
                table: "OrderHourRollups");

            migrationBuilder.DropIndex(
                name: "IX_CallHourRollups_Hour_Queue_AgentId",
                table: "CallHourRollups");

            migrationBuilder.CreateIndex(
                name: "IX_OrderHourRollups_Covering",
                table: "OrderHourRollups",
                columns: new[] { "Dimension", "Hour", "Value", "DispatchedOnTime", "DispatchedLate", "RepliedOnTime", "RepliedLate", "Reworked", "CalledBackOnTime", "CalledBackLate", "CallbackSatisfied" });

            migrationBuilder.CreateIndex(
                name: "IX_CallHourRollups_Covering",
                table: "CallHourRollups",
                columns: new[] { "Hour", "Queue", "AgentId", "Offered", "Answered", "AnsweredWithinServiceLevel", "Abandoned", "AnswerWaitMsTotal", "Rated", "Satisfied", "BasicallySatisfied" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_OrderHourRollups_Covering",
                table: "OrderHourRollups");

            migrationBuilder.DropIndex(
                name: "IX_CallHourRollups_Covering",
                table: "CallHourRollups");

            migrationBuilder.CreateIndex(
                name: "IX_OrderHourRollups_Dimension_Hour_Value",
                table: "OrderHourRollups",
                columns: new[] { "Dimension", "Hour", "Value" });

            migrationBuilder.CreateIndex(
                name: "IX_CallHourRollups_Hour_Queue_AgentId",
                table: "CallHourRollups",
                columns: new[] { "Hour", "Queue", "AgentId" });
        }
    }
}
