using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Hotline.TicketApi.Data.Migrations.PostgreSql
{
    /// <inheritdoc />
    public partial class DayRollups : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "CallDayRollups",
                columns: table => new
                {
                    Key = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    Day = table.Column<long>(type: "bigint", nullable: false),
                    Queue = table.Column<string>(type: "character varying(400)", maxLength: 400, nullable: false),
                    AgentId = table.Column<string>(type: "character varying(400)", maxLength: 400, nullable: false),
                    Offered = table.Column<int>(type: "integer", nullable: false),
                    Answered = table.Column<int>(type: "integer", nullable: false),
                    AnsweredWithinServiceLevel = table.Column<int>(type: "integer", nullable: false),
                    Abandoned = table.Column<int>(type: "integer", nullable: false),
                    AnswerWaitMsTotal = table.Column<long>(type: "bigint", nullable: false),
                    Rated = table.Column<int>(type: "integer", nullable: false),
                    Satisfied = table.Column<int>(type: "integer", nullable: false),
                    BasicallySatisfied = table.Column<int>(type: "integer", nullable: false),
                    NotSatisfied = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_CallDayRollups", x => x.Key);
                });

            migrationBuilder.CreateTable(
                name: "OrderDayRollups",
                columns: table => new
                {
                    Key = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: false),
                    Day = table.Column<long>(type: "bigint", nullable: false),
                    Dimension = table.Column<string>(type: "character varying(400)", maxLength: 400, nullable: false),
                    Value = table.Column<string>(type: "character varying(400)", maxLength: 400, nullable: false),
                    DispatchedOnTime = table.Column<int>(type: "integer", nullable: false),
                    DispatchedLate = table.Column<int>(type: "integer", nullable: false),
                    RepliedOnTime = table.Column<int>(type: "integer", nullable: false),
                    RepliedLate = table.Column<int>(type: "integer", nullable: false),
                    Reworked = table.Column<int>(type: "integer", nullable: false),
                    CalledBackOnTime = table.Column<int>(type: "integer", nullable: false),
                    CalledBackLate = table.Column<int>(type: "integer", nullable: false),
                    CallbackSatisfied = table.Column<int>(type: "integer", nullable: false),
                    Registered = table.Column<int>(type: "integer", nullable: false),
                    CallerAnswered = table.Column<int>(type: "integer", nullable: false),
                    SmsReceived = table.Column<int>(type: "integer", nullable: false),
                    SmsAnsweredSameDay = table.Column<int>(type: "integer", nullable: false),
                    HotlineComplaints = table.Column<int>(type: "integer", nullable: false),
                    Returned = table.Column<int>(type: "integer", nullable: false),
                    FlaggedOverdue = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_OrderDayRollups", x => x.Key);
                });

            migrationBuilder.CreateIndex(
                name: "IX_CallDayRollups_Covering",
                table: "CallDayRollups",
                columns: new[] { "Day", "Queue", "AgentId", "Offered", "Answered", "AnsweredWithinServiceLevel", "Abandoned", "AnswerWaitMsTotal", "Rated", "Satisfied", "BasicallySatisfied" });

            migrationBuilder.CreateIndex(
                name: "IX_OrderDayRollups_Covering",
                table: "OrderDayRollups",
                columns: new[] { "Dimension", "Day", "Value", "DispatchedOnTime", "DispatchedLate", "RepliedOnTime", "RepliedLate", "Reworked", "CalledBackOnTime", "CalledBackLate", "CallbackSatisfied", "Registered", "CallerAnswered", "SmsReceived", "SmsAnsweredSameDay", "HotlineComplaints", "Returned", "FlaggedOverdue" });
            // An upgraded database reports the same figures: each UTC day's row is the sum of its 24 hour rows (hours since
            // the epoch are never negative, so "Hour" / 24 is the day). The ingest and the save keep both from here on.
            migrationBuilder.Sql("INSERT INTO \"CallDayRollups\" (\"Key\", \"Day\", \"Queue\", \"AgentId\", \"Offered\", \"Answered\", \"AnsweredWithinServiceLevel\", \"Abandoned\", \"AnswerWaitMsTotal\", \"Rated\", \"Satisfied\", \"BasicallySatisfied\", \"NotSatisfied\") SELECT CAST(\"Hour\" / 24 AS text) || '|' || \"Queue\" || '|' || \"AgentId\", \"Hour\" / 24, \"Queue\", \"AgentId\", SUM(\"Offered\"), SUM(\"Answered\"), SUM(\"AnsweredWithinServiceLevel\"), SUM(\"Abandoned\"), SUM(\"AnswerWaitMsTotal\"), SUM(\"Rated\"), SUM(\"Satisfied\"), SUM(\"BasicallySatisfied\"), SUM(\"NotSatisfied\") FROM \"CallHourRollups\" GROUP BY \"Hour\" / 24, \"Queue\", \"AgentId\"");
            migrationBuilder.Sql("INSERT INTO \"OrderDayRollups\" (\"Key\", \"Day\", \"Dimension\", \"Value\", \"DispatchedOnTime\", \"DispatchedLate\", \"RepliedOnTime\", \"RepliedLate\", \"Reworked\", \"CalledBackOnTime\", \"CalledBackLate\", \"CallbackSatisfied\", \"Registered\", \"CallerAnswered\", \"SmsReceived\", \"SmsAnsweredSameDay\", \"HotlineComplaints\", \"Returned\", \"FlaggedOverdue\") SELECT CAST(\"Hour\" / 24 AS text) || '|' || \"Dimension\" || '|' || \"Value\", \"Hour\" / 24, \"Dimension\", \"Value\", SUM(\"DispatchedOnTime\"), SUM(\"DispatchedLate\"), SUM(\"RepliedOnTime\"), SUM(\"RepliedLate\"), SUM(\"Reworked\"), SUM(\"CalledBackOnTime\"), SUM(\"CalledBackLate\"), SUM(\"CallbackSatisfied\"), SUM(\"Registered\"), SUM(\"CallerAnswered\"), SUM(\"SmsReceived\"), SUM(\"SmsAnsweredSameDay\"), SUM(\"HotlineComplaints\"), SUM(\"Returned\"), SUM(\"FlaggedOverdue\") FROM \"OrderHourRollups\" GROUP BY \"Hour\" / 24, \"Dimension\", \"Value\"");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "CallDayRollups");

            migrationBuilder.DropTable(
                name: "OrderDayRollups");
        }
    }
}
