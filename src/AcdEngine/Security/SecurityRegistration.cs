using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;

namespace Hotline.AcdEngine.Security;

/// <summary>The engine's authorisation policies (HTTP endpoints; CTI adds <see cref="CtiPermissions"/> per request).</summary>
public static class ApiPolicies
{
    /// <summary>Live figures (<c>/api/stats</c>): supervisors, admins and the TicketApi service.</summary>
    public const string Figures = "figures";
    /// <summary>Registrar and stack state (<c>/api/sip/*</c>): supervisors and admins.</summary>
    public const string Telephony = "telephony";
    /// <summary>Click-to-call (<c>/api/dial</c>): an agent for itself, supervisors and admins for any agent.</summary>
    public const string Dial = "dial";
    /// <summary>Recording files: TicketApi (Service) only; it authorises and audits each listener.</summary>
    public const string Recordings = "recordings";
    /// <summary>Operator control of any call (<c>/api/calls/{id}/hangup</c>, the console tool): admins only.</summary>
    public const string CallControl = "call-control";
    /// <summary>Reloading the configuration (<c>/api/config/reload</c>, the console tool): admins only.</summary>
    public const string Configuration = "configuration";
}

/// <summary>Wires the engine's identity model: Bearer keys, act-as, demo-mode refusal, default-deny authorisation.</summary>
public static class SecurityRegistration
{
    public static IServiceCollection AddEngineSecurity(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<SecurityOptions>().Bind(configuration.GetSection(SecurityOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<SecurityOptions>>(new DemoModeValidator(configuration));
        services.AddOptions<ApiOptions>().Bind(configuration.GetSection(ApiOptions.Section)).ValidateOnStart();
        services.AddOptions<SupervisorsOptions>().Configure(o => configuration.GetSection(SupervisorsOptions.Section).Bind(o.List)).ValidateOnStart();
        services.AddSingleton<ApiOptionsValidator>();
        services.AddSingleton<IValidateOptions<ApiOptions>>(sp => sp.GetRequiredService<ApiOptionsValidator>());
        services.AddSingleton<IValidateOptions<SupervisorsOptions>>(sp => sp.GetRequiredService<ApiOptionsValidator>());
        services.AddHostedService<DemoModeWarning>();

        services.AddAuthentication(BearerAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, BearerAuthenticationHandler>(BearerAuthenticationHandler.SchemeName, null);
        var caller = new AuthorizationPolicyBuilder().RequireAuthenticatedUser()
            .RequireAssertion(c => !c.User.HasClaim(x => x.Type == ApiClaims.ActAsRefused)).Build();
        services.AddAuthorizationBuilder()
            // Default deny: an endpoint that names no policy (every gRPC method, any /api route added later) needs a
            // valid key; /healthz alone is anonymous.
            .SetFallbackPolicy(caller)
            .AddPolicy(ApiPolicies.Figures, p => p.Combine(caller).RequireRole(ApiRoles.Supervisor, ApiRoles.Admin, ApiRoles.Service))
            .AddPolicy(ApiPolicies.Telephony, p => p.Combine(caller).RequireRole(ApiRoles.Supervisor, ApiRoles.Admin))
            .AddPolicy(ApiPolicies.Dial, p => p.Combine(caller).RequireRole(ApiRoles.Agent, ApiRoles.Supervisor, ApiRoles.Admin))
            .AddPolicy(ApiPolicies.Recordings, p => p.Combine(caller).RequireRole(ApiRoles.Service))
            .AddPolicy(ApiPolicies.CallControl, p => p.Combine(caller).RequireRole(ApiRoles.Admin))
            .AddPolicy(ApiPolicies.Configuration, p => p.Combine(caller).RequireRole(ApiRoles.Admin));
        return services;
    }
}
