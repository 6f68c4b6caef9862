namespace HazardGrid.Accounts;

/// <summary>The lock-out rule of people's accounts (<c>HazardGrid:Accounts</c>).</summary>
public sealed class AccountOptions
{
    public const string Section = "HazardGrid:Accounts";

    /// <summary>Failed sign-ins in a row that lock an account.</summary>
    public int MaxFailedAttempts { get; set; } = 5;

    /// <summary>How long a locked account refuses every sign-in, the right password included.</summary>
    public TimeSpan LockoutDuration { get; set; } = TimeSpan.FromMinutes(15);
}
