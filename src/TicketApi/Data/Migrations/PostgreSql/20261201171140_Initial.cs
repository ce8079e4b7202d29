using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Hotline.TicketApi.Data.Migrations.PostgreSql
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
                    EventId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    AgentId = table.Column<string>(type: "character varying(400)", maxLength: 400, nullable: false),
                    Sequence = table.Column<long>(type: "bigint", nullable: false),
                    OccurredAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    Status = table.Column<int>(type: "integer", nullable: false),
                    PreviousStatus = table.Column<int>(type: "integer", nullable: false),
                    Reason = table.Column<string>(type: "character varying(400)", maxLength: 400, nullable: true),
                    CallId = table.Column<string>(type: "character varying(400)", maxLength: 400, nullable: true)
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
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    Name = table.Column<string>(type: "character varying(400)", maxLength: 400, nullable: false),
                    KeyHash = table.Column<string>(type: "character varying(400)", maxLength: 400, nullable: false),
                    Role = table.Column<string>(type: "character varying(400)", maxLength: 400, nullable: false),
                    DepartmentId = table.Column<string>(type: "character varying(400)", maxLength: 400, nullable: true),
                    AgentId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    CreatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    CreatedBy = table.Column<string>(type: "character varying(400)", maxLength: 400, nullable: true),
                    RevokedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    RevokedBy = table.Column<string>(type: "character varying(400)", maxLength: 400, nullable: true),
                    RevokedReason = table.Column<string>(type: "character varying(400)", maxLength: 400, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ApiKeys", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "CallEvents",
                columns: table => new
                {
                    EventId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    CallId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Sequence = table.Column<long>(type: "bigint", nullable: false),
                    Kind = table.Column<string>(type: "character varying(400)", maxLength: 400, nullable: false),
                    OccurredAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    Payload = table.Column<byte[]>(type: "bytea", maxLength: 8000, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_CallEvents", x => x.EventId);
                });

            migrationBuilder.CreateTable(
                name: "CallHourRollups",
                columns: table => new
                {
                    Key = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    Hour = table.Column<long>(type: "bigint", nullable: false),
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
                    table.PrimaryKey("PK_CallHourRollups", x => x.Key);
                });

            migrationBuilder.CreateTable(
                name: "Calls",
                columns: table => new
                {
                    CallId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    NodeId = table.Column<string>(type: "character varying(400)", maxLength: 400, nullable: true),
                    Direction = table.Column<int>(type: "integer", nullable: false),
                    CallerNumber = table.Column<string>(type: "character varying(400)", maxLength: 400, nullable: true),
                    CallerName = table.Column<string>(type: "character varying(400)", maxLength: 400, nullable: true),
                    DialedNumber = table.Column<string>(type: "character varying(400)", maxLength: 400, nullable: true),
                    ForWorkOrderId = table.Column<string>(type: "character varying(400)", maxLength: 400, nullable: true),
                    OfferedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    IvrNature = table.Column<string>(type: "character varying(400)", maxLength: 400, nullable: true),
                    Queue = table.Column<string>(type: "character varying(400)", maxLength: 400, nullable: true),
                    QueuedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    ServiceLevelMs = table.Column<int>(type: "integer", nullable: false),
                    AnsweredAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    AgentId = table.Column<string>(type: "character varying(400)", maxLength: 400, nullable: true),
                    WaitMs = table.Column<int>(type: "integer", nullable: true),
                    WithinServiceLevel = table.Column<bool>(type: "boolean", nullable: false),
                    AbandonedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    AbandonPoint = table.Column<int>(type: "integer", nullable: true),
                    CallbackNumber = table.Column<string>(type: "character varying(400)", maxLength: 400, nullable: true),
                    VoicemailLocation = table.Column<string>(type: "character varying(400)", maxLength: 400, nullable: true),
                    Recording = table.Column<string>(type: "character varying(400)", maxLength: 400, nullable: true),
                    EndedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    HangupBy = table.Column<int>(type: "integer", nullable: true),
                    TalkMs = table.Column<int>(type: "integer", nullable: false),
                    HoldMs = table.Column<int>(type: "integer", nullable: false),
                    FirstResponderAgentId = table.Column<string>(type: "character varying(400)", maxLength: 400, nullable: true),
                    EndReason = table.Column<string>(type: "character varying(400)", maxLength: 400, nullable: true),
                    Satisfaction = table.Column<int>(type: "integer", nullable: true),
                    RatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    EventCount = table.Column<int>(type: "integer", nullable: false),
                    EndSequence = table.Column<long>(type: "bigint", nullable: true),
                    Complete = table.Column<bool>(type: "boolean", nullable: false),
                    CompletedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true)
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
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    From = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    To = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    Reason = table.Column<string>(type: "character varying(400)", maxLength: 400, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ExclusionWindows", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "OrderHourRollups",
                columns: table => new
                {
                    Key = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: false),
                    Hour = table.Column<long>(type: "bigint", nullable: false),
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
                    table.PrimaryKey("PK_OrderHourRollups", x => x.Key);
                });

            migrationBuilder.CreateTable(
                name: "RejectedEvents",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    EventId = table.Column<string>(type: "character varying(400)", maxLength: 400, nullable: false),
                    ReceivedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    Error = table.Column<string>(type: "character varying(400)", maxLength: 400, nullable: false),
                    Payload = table.Column<byte[]>(type: "bytea", maxLength: 8000, nullable: false)
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
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    Kind = table.Column<int>(type: "integer", nullable: false),
                    Channel = table.Column<int>(type: "integer", nullable: false),
                    Status = table.Column<int>(type: "integer", nullable: false),
                    Nature = table.Column<string>(type: "character varying(400)", maxLength: 400, nullable: true),
                    IsMajor = table.Column<bool>(type: "boolean", nullable: false),
                    IsEmergency = table.Column<bool>(type: "boolean", nullable: false),
                    Category = table.Column<string>(type: "character varying(400)", maxLength: 400, nullable: true),
                    Content = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: false),
                    CallerName = table.Column<string>(type: "character varying(400)", maxLength: 400, nullable: true),
                    CallerNumber = table.Column<string>(type: "character varying(400)", maxLength: 400, nullable: true),
                    Address = table.Column<string>(type: "character varying(400)", maxLength: 400, nullable: true),
                    ConfidentialReporter = table.Column<bool>(type: "boolean", nullable: false),
                    CallId = table.Column<string>(type: "character varying(400)", maxLength: 400, nullable: true),
                    OwnerAgentId = table.Column<string>(type: "character varying(400)", maxLength: 400, nullable: true),
                    DepartmentId = table.Column<string>(type: "character varying(400)", maxLength: 400, nullable: true),
                    CreatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    CreatedHour = table.Column<long>(type: "bigint", nullable: false),
                    DispatchDueAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    FirstDispatchedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    DispatchedOnTime = table.Column<bool>(type: "boolean", nullable: true),
                    DeadlineAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    RepliedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    RepliedOnTime = table.Column<bool>(type: "boolean", nullable: true),
                    Reply = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: true),
                    ExtensionsGranted = table.Column<int>(type: "integer", nullable: false),
                    PendingExtensionDays = table.Column<int>(type: "integer", nullable: true),
                    PendingExtensionReason = table.Column<string>(type: "character varying(400)", maxLength: 400, nullable: true),
                    ReturnCount = table.Column<int>(type: "integer", nullable: false),
                    ReworkCount = table.Column<int>(type: "integer", nullable: false),
                    ReopenCount = table.Column<int>(type: "integer", nullable: false),
                    CallbackDueAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    CalledBackAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    CalledBackOnTime = table.Column<bool>(type: "boolean", nullable: true),
                    CallbackSatisfaction = table.Column<int>(type: "integer", nullable: true),
                    Resolution = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: true),
                    ClosedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    ArchivedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    Supervised = table.Column<bool>(type: "boolean", nullable: false),
                    AboutHotline = table.Column<bool>(type: "boolean", nullable: false),
                    ReceivedDayEndsAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    CallerAnsweredAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    CallerAnsweredSameDay = table.Column<bool>(type: "boolean", nullable: true),
                    Version = table.Column<int>(type: "integer", nullable: false),
                    OverdueFlaggedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    OverdueFlaggedFor = table.Column<DateTime>(type: "timestamp with time zone", nullable: true)
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
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    WorkOrderId = table.Column<long>(type: "bigint", nullable: false),
                    At = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    ActorId = table.Column<string>(type: "character varying(400)", maxLength: 400, nullable: false),
                    ActorRole = table.Column<string>(type: "character varying(400)", maxLength: 400, nullable: false),
                    Action = table.Column<string>(type: "character varying(400)", maxLength: 400, nullable: false),
                    StatusBefore = table.Column<int>(type: "integer", nullable: true),
                    StatusAfter = table.Column<int>(type: "integer", nullable: false),
                    Detail = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: false)
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
                name: "IX_CallHourRollups_Covering",
                table: "CallHourRollups",
                columns: new[] { "Hour", "Queue", "AgentId", "Offered", "Answered", "AnsweredWithinServiceLevel", "Abandoned", "AnswerWaitMsTotal", "Rated", "Satisfied", "BasicallySatisfied" });

            migrationBuilder.CreateIndex(
                name: "IX_Calls_CallerNumber_OfferedAt",
                table: "Calls",
                columns: new[] { "CallerNumber", "OfferedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_Calls_OfferedAt",
                table: "Calls",
                column: "OfferedAt");

            migrationBuilder.CreateIndex(
                name: "IX_Calls_RatedAt",
                table: "Calls",
                column: "RatedAt");

            migrationBuilder.CreateIndex(
                name: "IX_OrderHourRollups_Covering",
                table: "OrderHourRollups",
                columns: new[] { "Dimension", "Hour", "Value", "DispatchedOnTime", "DispatchedLate", "RepliedOnTime", "RepliedLate", "Reworked", "CalledBackOnTime", "CalledBackLate", "CallbackSatisfied", "Registered", "CallerAnswered", "SmsReceived", "SmsAnsweredSameDay", "HotlineComplaints", "Returned", "FlaggedOverdue" });

            migrationBuilder.CreateIndex(
                name: "IX_WorkOrders_CallId",
                table: "WorkOrders",
                column: "CallId");

            migrationBuilder.CreateIndex(
                name: "IX_WorkOrders_CallerNumber_CreatedAt",
                table: "WorkOrders",
                columns: new[] { "CallerNumber", "CreatedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_WorkOrders_CreatedAt_DepartmentId_Status",
                table: "WorkOrders",
                columns: new[] { "CreatedAt", "DepartmentId", "Status" });

            migrationBuilder.CreateIndex(
                name: "IX_WorkOrders_DepartmentId_CreatedAt",
                table: "WorkOrders",
                columns: new[] { "DepartmentId", "CreatedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_WorkOrders_DepartmentId_Status_CreatedAt",
                table: "WorkOrders",
                columns: new[] { "DepartmentId", "Status", "CreatedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_WorkOrders_Nature_CreatedAt",
                table: "WorkOrders",
                columns: new[] { "Nature", "CreatedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_WorkOrders_Status_CreatedAt",
                table: "WorkOrders",
                columns: new[] { "Status", "CreatedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_WorkOrders_Status_CreatedHour",
                table: "WorkOrders",
                columns: new[] { "Status", "CreatedHour" });

            migrationBuilder.CreateIndex(
                name: "IX_WorkOrders_Status_DeadlineAt",
                table: "WorkOrders",
                columns: new[] { "Status", "DeadlineAt" });

            migrationBuilder.CreateIndex(
                name: "IX_WorkOrders_Status_DispatchDueAt",
                table: "WorkOrders",
                columns: new[] { "Status", "DispatchDueAt" });
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
                name: "OrderHourRollups");

            migrationBuilder.DropTable(
                name: "RejectedEvents");

            migrationBuilder.DropTable(
                name: "WorkOrders");
        }
    }
}
