namespace Hotline.AcdEngine.Sip;

/// <summary>Runs the SIP stack for the life of the host: binds, routes, and stops cleanly.</summary>
public sealed class SipService(SipStack stack, SipRouting routing) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
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
