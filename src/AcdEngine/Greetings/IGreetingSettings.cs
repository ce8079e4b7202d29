namespace Hotline.AcdEngine.Greetings;

/// <summary>The greeting settings of <c>Acd:*</c> (implemented by <c>Routing.AcdOptions</c>), as the greeting choice sees them.</summary>
public interface IGreetingSettings
{
    /// <summary>Prompt played on answer (<c>Acd:Greeting</c>; "" = none).</summary>
    string Greeting { get; }

    /// <summary>Greeting variants (<c>Acd:Greetings:*</c>).</summary>
    GreetingOptions Greetings { get; }
}
