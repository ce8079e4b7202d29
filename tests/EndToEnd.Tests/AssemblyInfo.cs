// Two fixtures at a time where that cannot change what a test sees (issue 21: the test command within its 20 minutes).
//
// Most of this assembly's time is real time: processes starting, calls held by sipp or baresip, faults waited out.
// The fixtures marked [Parallelizable(ParallelScope.Self)] only wait on processes and judge counts and states with
// bounds set for a loaded 2-core machine: they run two at a time. Every other fixture keeps NUnit's default (not
// parallel) and so runs with nothing else of this assembly beside it: those that measure audio (levels, hold music
// after the greeting, what a department hears), wall-clock figures (category Timing), drive the console's pages in
// Chromium, flood the engine from several loopback sources (SipAttackTests), install the Debian package, or start the
// whole site (the three-engine cluster: five .NET hosts, Redis with Sentinels, PostgreSQL and Kamailio, and a time
// bound). A fixture that shares nothing with the others (its own processes, ports from FreePort, its own temporary
// folders and databases) and measures neither audio nor time may join the first group.
[assembly: LevelOfParallelism(2)]
