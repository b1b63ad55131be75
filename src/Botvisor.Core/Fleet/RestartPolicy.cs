namespace Botvisor.Core.Fleet;

/// <summary>When a worker that exited on its own is started again.</summary>
public enum RestartPolicy
{
    /// <summary>Restart after every exit, clean or not.</summary>
    Always,

    /// <summary>Restart only after a non-zero exit code or a death by signal.</summary>
    OnFailure,

    /// <summary>Never restart; a failed run ends in <c>Failed</c>, a clean one in <c>Stopped</c>.</summary>
    Never,
}

public static class RestartPolicyNames
{
    public const string Always = "always";
    public const string OnFailure = "on-failure";
    public const string Never = "never";

    public static readonly IReadOnlyList<string> All = [Always, OnFailure, Never];

    public static bool TryParse(string value, out RestartPolicy policy)
    {
        switch (value)
        {
            case Always: policy = RestartPolicy.Always; return true;
            case OnFailure: policy = RestartPolicy.OnFailure; return true;
            case Never: policy = RestartPolicy.Never; return true;
            default: policy = default; return false;
        }
    }

    public static string ToName(this RestartPolicy policy) => policy switch
    {
        RestartPolicy.Always => Always,
        RestartPolicy.OnFailure => OnFailure,
        _ => Never,
    };
}
