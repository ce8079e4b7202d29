namespace Hotline.AcdEngine.Sip;

/// <summary>Runs the SIP stack for the life of the host: binds, routes, and stops cleanly; registrations kept in a file.</summary>
public sealed class SipService(SipStack stack, SipRouting routing, RegistrationFile registrations, Agents.AgentRoster roster,
    Microsoft.Extensions.Options.IOptions<Routing.AcdOptions> acd) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var bindings = stack.Registrar.Bindings;
        registrations.Load(bindings);
        // Started before EngineService signs agents in: an agent whose phone is not registered is not made Ready.
        if (acd.Value.ReadyNeedsRegisteredPhone) roster.PhoneRegistered = user => bindings.Lookup(user).Count > 0;
        bindings.Changed += () =>
        {
            registrations.Save(bindings);
            roster.PhonesChanged();
        };
        routing.Attach();
        stack.Start();
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        routing.Detach();
        await stack.DisposeAsync();
    }
}
