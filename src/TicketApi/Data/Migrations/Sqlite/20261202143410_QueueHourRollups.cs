using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Hotline.TicketApi.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class QueueHourRollups : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "CallQueueHourRollups",
                columns: table => new
                {
                    Key = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Hour = table.Column<long>(type: "INTEGER", nullable: false),
                    Queue = table.Column<string>(type: "TEXT", maxLength: 400, nullable: false),
                    Offered = table.Column<int>(type: "INTEGER", nullable: false),
                    Answered = table.Column<int>(type: "INTEGER", nullable: false),
                    AnsweredWithinServiceLevel = table.Column<int>(type: "INTEGER", nullable: false),
                    Abandoned = table.Column<int>(type: "INTEGER", nullable: false),
                    AnswerWaitMsTotal = table.Column<long>(type: "INTEGER", nullable: false),
                    Rated = table.Column<int>(type: "INTEGER", nullable: false),
                    Satisfied = table.Column<int>(type: "INTEGER", nullable: false),
                    BasicallySatisfied = table.Column<int>(type: "INTEGER", nullable: false),
                    NotSatisfied = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_CallQueueHourRollups", x => x.Key);
                });

            migrationBuilder.CreateIndex(
                name: "IX_CallQueueHourRollups_Covering",
                table: "CallQueueHourRollups",
                columns: new[] { "Hour", "Queue", "Offered", "Answered", "AnsweredWithinServiceLevel", "Abandoned", "AnswerWaitMsTotal", "Rated", "Satisfied", "BasicallySatisfied" });
            // An upgraded database reports the same figures: each hour-and-queue row is the sum of that hour's rows of the
            // queue over every agent. The ingest keeps both from here on, in the same transaction.
            migrationBuilder.Sql("INSERT INTO \"CallQueueHourRollups\" (\"Key\", \"Hour\", \"Queue\", \"Offered\", \"Answered\", \"AnsweredWithinServiceLevel\", \"Abandoned\", \"AnswerWaitMsTotal\", \"Rated\", \"Satisfied\", \"BasicallySatisfied\", \"NotSatisfied\") SELECT CAST(\"Hour\" AS TEXT) || '|' || \"Queue\", \"Hour\", \"Queue\", SUM(\"Offered\"), SUM(\"Answered\"), SUM(\"AnsweredWithinServiceLevel\"), SUM(\"Abandoned\"), SUM(\"AnswerWaitMsTotal\"), SUM(\"Rated\"), SUM(\"Satisfied\"), SUM(\"BasicallySatisfied\"), SUM(\"NotSatisfied\") FROM \"CallHourRollups\" GROUP BY \"Hour\", \"Queue\"");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "CallQueueHourRollups");
        }
    }
}
