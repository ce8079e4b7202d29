namespace Hotline.Cti.Media.Sources;

/// <summary>
/// What the ACD plays to callers, by prompt name. <see cref="SoundLibrary"/> is the one implementation over the sounds
/// folder; tests and load generators stand in their own (prompts of known lengths).
/// </summary>
public interface IPromptLibrary
{
    /// <summary>A named prompt (file name without .wav); silence of length zero when it does not exist.</summary>
    IAudioSource Prompt(string name);

    /// <summary>Hold music: the playlist of the music-on-hold folder, looped without end.</summary>
    IAudioSource HoldMusic();

    /// <summary>
    /// "You are number <paramref name="position"/> in the queue.", then, when known, "The expected waiting time is
    /// about <paramref name="expectedWaitMinutes"/> minutes." (0 = "less than one minute").
    /// </summary>
    IAudioSource Position(int position, int? expectedWaitMinutes = null);

    /// <summary>
    /// The trainee greeting: "Hello, citizen hotline, trainee agent number", the <paramref name="agentNumber"/> digit by
    /// digit, "at your service." (DOMAIN.md "The call"; prompts greeting-trainee, digit-N, greeting-trainee-end).
    /// </summary>
    IAudioSource TraineeGreeting(string agentNumber);

    /// <summary>
    /// Forgets prompts read so far, so that the next call plays the files as they are now (a configuration reload,
    /// issue 20); a prompt already playing finishes as it was. Nothing to do for a library that reads on every play.
    /// </summary>
    void ForgetLoaded() { }
}
