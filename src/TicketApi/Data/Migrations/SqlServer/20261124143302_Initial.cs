using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Hotline.TicketApi.Data.Migrations.SqlServer
{
    /// <inheritdoc />
    public partial class Initial : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "AgentEvents",
                columns: table => new
                {
                    EventId = table.Column<string>(type: "nvarchar(64)", maxLength: 64, nullable: false),
                    AgentId = table.Column<string>(type: "nvarchar(400)", maxLength: 400, nullable: false),
                    Sequence = table.Column<long>(type: "bigint", nullable: false),
                    OccurredAt = table.Column<DateTime>(type: "datetime2", nullable: false),
                    Status = table.Column<int>(type: "int", nullable: false),
                    PreviousStatus = table.Column<int>(type: "int", nullable: false),
                    Reason = table.Column<string>(type: "nvarchar(400)", maxLength: 400, nullable: true),
                    CallId = table.Column<string>(type: "nvarchar(400)", maxLength: 400, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AgentEvents", x => x.EventId);
                });

            migrationBuilder.CreateTable(
                name: "ApiKeys",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("SqlServer:Identity", "1, 1"),
                    Name = table.Column<string>(type: "nvarchar(400)", maxLength: 400, nullable: false),
                    KeyHash = table.Column<string>(type: "nvarchar(400)", maxLength: 400, nullable: false),
                    Role = table.Column<string>(type: "nvarchar(400)", maxLength: 400, nullable: false),
                    DepartmentId = table.Column<string>(type: "nvarchar(400)", maxLength: 400, nullable: true),
                    CreatedAt = table.Column<DateTime>(type: "datetime2", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ApiKeys", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "CallEvents",
                columns: table => new
                {
                    EventId = table.Column<string>(type: "nvarchar(64)", maxLength: 64, nullable: false),
                    CallId = table.Column<string>(type: "nvarchar(64)", maxLength: 64, nullable: false),
                    Sequence = table.Column<long>(type: "bigint", nullable: false),
                    Kind = table.Column<string>(type: "nvarchar(400)", maxLength: 400, nullable: false),
                    OccurredAt = table.Column<DateTime>(type: "datetime2", nullable: false),
                    Payload = table.Column<byte[]>(type: "varbinary(8000)", maxLength: 8000, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_CallEvents", x => x.EventId);
                });

            migrationBuilder.CreateTable(
                name: "CallHourRollups",
                columns: table => new
                {
                    Key = table.Column<string>(type: "nvarchar(200)", maxLength: 200, nullable: false),
                    Hour = table.Column<long>(type: "bigint", nullable: false),
                    Queue = table.Column<string>(type: "nvarchar(400)", maxLength: 400, nullable: false),
                    AgentId = table.Column<string>(type: "nvarchar(400)", maxLength: 400, nullable: false),
                    Offered = table.Column<int>(type: "int", nullable: false),
                    Answered = table.Column<int>(type: "int", nullable: false),
                    AnsweredWithinServiceLevel = table.Column<int>(type: "int", nullable: false),
                    Abandoned = table.Column<int>(type: "int", nullable: false),
                    AnswerWaitMsTotal = table.Column<long>(type: "bigint", nullable: false),
                    Rated = table.Column<int>(type: "int", nullable: false),
                    Satisfied = table.Column<int>(type: "int", nullable: false),
                    BasicallySatisfied = table.Column<int>(type: "int", nullable: false),
                    NotSatisfied = table.Column<int>(type: "int", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_CallHourRollups", x => x.Key);
                });

            migrationBuilder.CreateTable(
                name: "Calls",
                columns: table => new
                {
                    CallId = table.Column<string>(type: "nvarchar(64)", maxLength: 64, nullable: false),
                    NodeId = table.Column<string>(type: "nvarchar(400)", maxLength: 400, nullable: true),
                    Direction = table.Column<int>(type: "int", nullable: false),
                    CallerNumber = table.Column<string>(type: "nvarchar(400)", maxLength: 400, nullable: true),
                    CallerName = table.Column<string>(type: "nvarchar(400)", maxLength: 400, nullable: true),
                    DialedNumber = table.Column<string>(type: "nvarchar(400)", maxLength: 400, nullable: true),
                    ForWorkOrderId = table.Column<string>(type: "nvarchar(400)", maxLength: 400, nullable: true),
                    OfferedAt = table.Column<DateTime>(type: "datetime2", nullable: true),
                    IvrNature = table.Column<string>(type: "nvarchar(400)", maxLength: 400, nullable: true),
                    Queue = table.Column<string>(type: "nvarchar(400)", maxLength: 400, nullable: true),
                    QueuedAt = table.Column<DateTime>(type: "datetime2", nullable: true),
                    ServiceLevelMs = table.Column<int>(type: "int", nullable: false),
                    AnsweredAt = table.Column<DateTime>(type: "datetime2", nullable: true),
                    AgentId = table.Column<string>(type: "nvarchar(400)", maxLength: 400, nullable: true),
                    WaitMs = table.Column<int>(type: "int", nullable: true),
                    WithinServiceLevel = table.Column<bool>(type: "bit", nullable: false),
                    AbandonedAt = table.Column<DateTime>(type: "datetime2", nullable: true),
                    AbandonPoint = table.Column<int>(type: "int", nullable: true),
                    CallbackNumber = table.Column<string>(type: "nvarchar(400)", maxLength: 400, nullable: true),
                    VoicemailLocation = table.Column<string>(type: "nvarchar(400)", maxLength: 400, nullable: true),
                    Recording = table.Column<string>(type: "nvarchar(400)", maxLength: 400, nullable: true),
                    EndedAt = table.Column<DateTime>(type: "datetime2", nullable: true),
                    HangupBy = table.Column<int>(type: "int", nullable: true),
                    TalkMs = table.Column<int>(type: "int", nullable: false),
                    HoldMs = table.Column<int>(type: "int", nullable: false),
                    FirstResponderAgentId = table.Column<string>(type: "nvarchar(400)", maxLength: 400, nullable: true),
                    EndReason = table.Column<string>(type: "nvarchar(400)", maxLength: 400, nullable: true),
                    Satisfaction = table.Column<int>(type: "int", nullable: true),
                    EventCount = table.Column<int>(type: "int", nullable: false),
                    EndSequence = table.Column<long>(type: "bigint", nullable: true),
                    Complete = table.Column<bool>(type: "bit", nullable: false),
                    CompletedAt = table.Column<DateTime>(type: "datetime2", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Calls", x => x.CallId);
                });

            migrationBuilder.CreateTable(
                name: "ExclusionWindows",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("SqlServer:Identity", "1, 1"),
                    From = table.Column<DateTime>(type: "datetime2", nullable: false),
                    To = table.Column<DateTime>(type: "datetime2", nullable: false),
                    Reason = table.Column<string>(type: "nvarchar(400)", maxLength: 400, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ExclusionWindows", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "RejectedEvents",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("SqlServer:Identity", "1, 1"),
                    EventId = table.Column<string>(type: "nvarchar(400)", maxLength: 400, nullable: false),
                    ReceivedAt = table.Column<DateTime>(type: "datetime2", nullable: false),
                    Error = table.Column<string>(type: "nvarchar(400)", maxLength: 400, nullable: false),
                    Payload = table.Column<byte[]>(type: "varbinary(8000)", maxLength: 8000, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RejectedEvents", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "WorkOrders",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("SqlServer:Identity", "1, 1"),
                    Kind = table.Column<int>(type: "int", nullable: false),
                    Channel = table.Column<int>(type: "int", nullable: false),
                    Status = table.Column<int>(type: "int", nullable: false),
                    Nature = table.Column<string>(type: "nvarchar(400)", maxLength: 400, nullable: true),
                    IsMajor = table.Column<bool>(type: "bit", nullable: false),
                    IsEmergency = table.Column<bool>(type: "bit", nullable: false),
                    Category = table.Column<string>(type: "nvarchar(400)", maxLength: 400, nullable: true),
                    Content = table.Column<string>(type: "nvarchar(4000)", maxLength: 4000, nullable: false),
                    CallerName = table.Column<string>(type: "nvarchar(400)", maxLength: 400, nullable: true),
                    CallerNumber = table.Column<string>(type: "nvarchar(400)", maxLength: 400, nullable: true),
                    Address = table.Column<string>(type: "nvarchar(400)", maxLength: 400, nullable: true),
                    ConfidentialReporter = table.Column<bool>(type: "bit", nullable: false),
                    CallId = table.Column<string>(type: "nvarchar(400)", maxLength: 400, nullable: true),
                    OwnerAgentId = table.Column<string>(type: "nvarchar(400)", maxLength: 400, nullable: true),
                    DepartmentId = table.Column<string>(type: "nvarchar(400)", maxLength: 400, nullable: true),
                    CreatedAt = table.Column<DateTime>(type: "datetime2", nullable: false),
                    CreatedHour = table.Column<long>(type: "bigint", nullable: false),
                    DispatchDueAt = table.Column<DateTime>(type: "datetime2", nullable: true),
                    FirstDispatchedAt = table.Column<DateTime>(type: "datetime2", nullable: true),
                    DispatchedOnTime = table.Column<bool>(type: "bit", nullable: true),
                    DeadlineAt = table.Column<DateTime>(type: "datetime2", nullable: true),
                    RepliedAt = table.Column<DateTime>(type: "datetime2", nullable: true),
                    RepliedOnTime = table.Column<bool>(type: "bit", nullable: true),
                    Reply = table.Column<string>(type: "nvarchar(4000)", maxLength: 4000, nullable: true),
                    ExtensionsGranted = table.Column<int>(type: "int", nullable: false),
                    PendingExtensionDays = table.Column<int>(type: "int", nullable: true),
                    PendingExtensionReason = table.Column<string>(type: "nvarchar(400)", maxLength: 400, nullable: true),
                    ReturnCount = table.Column<int>(type: "int", nullable: false),
                    ReworkCount = table.Column<int>(type: "int", nullable: false),
                    ReopenCount = table.Column<int>(type: "int", nullable: false),
                    CallbackDueAt = table.Column<DateTime>(type: "datetime2", nullable: true),
                    CalledBackAt = table.Column<DateTime>(type: "datetime2", nullable: true),
                    CalledBackOnTime = table.Column<bool>(type: "bit", nullable: true),
                    CallbackSatisfaction = table.Column<int>(type: "int", nullable: true),
                    Resolution = table.Column<string>(type: "nvarchar(4000)", maxLength: 4000, nullable: true),
                    ClosedAt = table.Column<DateTime>(type: "datetime2", nullable: true),
                    ArchivedAt = table.Column<DateTime>(type: "datetime2", nullable: true),
                    Supervised = table.Column<bool>(type: "bit", nullable: false),
                    Version = table.Column<int>(type: "int", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_WorkOrders", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "AuditEntries",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("SqlServer:Identity", "1, 1"),
                    WorkOrderId = table.Column<long>(type: "bigint", nullable: false),
                    At = table.Column<DateTime>(type: "datetime2", nullable: false),
                    ActorId = table.Column<string>(type: "nvarchar(400)", maxLength: 400, nullable: false),
                    ActorRole = table.Column<string>(type: "nvarchar(400)", maxLength: 400, nullable: false),
                    Action = table.Column<string>(type: "nvarchar(400)", maxLength: 400, nullable: false),
                    StatusBefore = table.Column<int>(type: "int", nullable: true),
                    StatusAfter = table.Column<int>(type: "int", nullable: false),
                    Detail = table.Column<string>(type: "nvarchar(4000)", maxLength: 4000, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AuditEntries", x => x.Id);
                    table.ForeignKey(
                        name: "FK_AuditEntries_WorkOrders_WorkOrderId",
                        column: x => x.WorkOrderId,
                        principalTable: "WorkOrders",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_AgentEvents_AgentId_Sequence",
                table: "AgentEvents",
                columns: new[] { "AgentId", "Sequence" });

            migrationBuilder.CreateIndex(
                name: "IX_ApiKeys_KeyHash",
                table: "ApiKeys",
                column: "KeyHash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_AuditEntries_WorkOrderId_Id",
                table: "AuditEntries",
                columns: new[] { "WorkOrderId", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_CallEvents_CallId_Sequence",
                table: "CallEvents",
                columns: new[] { "CallId", "Sequence" });

            migrationBuilder.CreateIndex(
                name: "IX_CallHourRollups_Hour_Queue_AgentId",
                table: "CallHourRollups",
                columns: new[] { "Hour", "Queue", "AgentId" });

            migrationBuilder.CreateIndex(
                name: "IX_Calls_OfferedAt",
                table: "Calls",
                column: "OfferedAt");

            migrationBuilder.CreateIndex(
                name: "IX_WorkOrders_CallId",
                table: "WorkOrders",
                column: "CallId");

            migrationBuilder.CreateIndex(
                name: "IX_WorkOrders_CreatedAt_DepartmentId_Status",
                table: "WorkOrders",
                columns: new[] { "CreatedAt", "DepartmentId", "Status" });

            migrationBuilder.CreateIndex(
                name: "IX_WorkOrders_DepartmentId_CreatedAt",
                table: "WorkOrders",
                columns: new[] { "DepartmentId", "CreatedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_WorkOrders_Metrics",
                table: "WorkOrders",
                columns: new[] { "CreatedHour", "DepartmentId", "Category", "OwnerAgentId", "Status", "DispatchedOnTime", "RepliedOnTime", "CalledBackOnTime", "ReworkCount", "CallbackSatisfaction", "DispatchDueAt", "DeadlineAt", "CallbackDueAt" });

            migrationBuilder.CreateIndex(
                name: "IX_WorkOrders_Status_DeadlineAt",
                table: "WorkOrders",
                columns: new[] { "Status", "DeadlineAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "AgentEvents");

            migrationBuilder.DropTable(
                name: "ApiKeys");

            migrationBuilder.DropTable(
                name: "AuditEntries");

            migrationBuilder.DropTable(
                name: "CallEvents");

            migrationBuilder.DropTable(
                name: "CallHourRollups");

            migrationBuilder.DropTable(
                name: "Calls");

            migrationBuilder.DropTable(
                name: "ExclusionWindows");

            migrationBuilder.DropTable(
                name: "RejectedEvents");

            migrationBuilder.DropTable(
                name: "WorkOrders");
        }
    }
}
