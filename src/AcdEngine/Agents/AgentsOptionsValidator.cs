using Microsoft.Extensions.Options;

namespace Hotline.AcdEngine.Agents;

/// <summary>Rules of the <c>Agents</c> array: ids and users unique and well-formed, queues configured.</summary>
public sealed class AgentsOptionsValidator(IOptions<IAgentSettings> acd) : IValidateOptions<AgentsOptions>
{
    public ValidateOptionsResult Validate(string? name, AgentsOptions options)
    {
        var failures = new List<string>();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        var users = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.List.Count; i++)
        {
            var a = options.List[i];
            if (string.IsNullOrWhiteSpace(a.Id) || a.Id.Length > 64) failures.Add($"Agents:{i}:Id must be 1-64 characters.");
            else if (!ids.Add(a.Id)) failures.Add($"Agents:{i}:Id '{a.Id}' is used twice.");
            if (string.IsNullOrWhiteSpace(a.User)) failures.Add($"Agents:{i}:User (the agent's SIP account) is required.");
            else if (!users.Add(a.User)) failures.Add($"Agents:{i}:User '{a.User}' is used by two agents.");
            foreach (var q in a.Queues)
                if (!acd.Value.IsQueue(q)) failures.Add($"Agents:{i}:Queues '{q}' is not a configured queue.");
            foreach (var (skill, penalty) in a.Skills)
                if (penalty is < 0 or > 100) failures.Add($"Agents:{i}:Skills:{skill} penalty must be between 0 and 100.");
            // The trainee greeting reads the number digit by digit from digit-0..9 prompts: anything else would be silence.
            if (a.Number.Length > 0 && !IsAgentNumber(a.Number)) failures.Add($"Agents:{i}:Number '{a.Number}' must be 1-8 digits.");
            else if (a.Trainee && !IsAgentNumber(a.SpokenNumber))
                failures.Add($"Agents:{i}:Trainee needs Agents:{i}:Number (1-8 digits): the SIP user '{a.User}' is not an agent number.");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static bool IsAgentNumber(string value) => value.Length is >= 1 and <= 8 && value.All(char.IsAsciiDigit);
}
