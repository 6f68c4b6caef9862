namespace HazardGrid.Notifications;

/// <summary>
/// The outbound delivery webhook (<c>HazardGrid:Notices:Webhook</c>). Off unless <see cref="Url"/>
/// is set: then no notice is sent, none is marked pending, and a hazard's write costs what it did.
/// </summary>
public sealed class NoticeWebhookOptions
{
    public const string Section = "HazardGrid:Notices:Webhook";

    /// <summary>Where each notice is POSTed (http or https); null or empty: delivery is off.</summary>
    public string? Url { get; set; }

    /// <summary>The shared secret the body is signed with (HMAC-SHA256), at least 32 characters;
    /// required with <see cref="Url"/>.</summary>
    public string? Secret { get; set; }

    /// <summary>Webhook calls per notice before it is dead-lettered as undelivered. Default 8: with
    /// the default backoff the last call is about an hour after the first, so a gateway outage of up
    /// to an hour loses nothing, and a longer one is visible on the hazard within the working hour.</summary>
    public int MaxAttempts { get; set; } = 8;

    /// <summary>Wait before the second call; each further wait doubles. Default 30 s (a gateway
    /// restart or a network blip).</summary>
    public TimeSpan FirstRetryAfter { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The longest wait between two calls. Default 30 min.</summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>How long one call may take before it counts as failed. Default 10 s.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often a town's outbox wakes the hazards it lists that still have notices to
    /// send (after a restart or a deactivation their retry timers are gone). Default 1 min.</summary>
    public TimeSpan ResumePeriod { get; set; } = TimeSpan.FromMinutes(1);

    public bool Enabled => !string.IsNullOrWhiteSpace(Url);

    /// <summary>What is wrong with the settings, or null; checked when the silo starts.</summary>
    public string? Problem()
    {
        if (!Enabled)
        {
            return null;
        }

        if (!Uri.TryCreate(Url, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            return $"{Section}:Url must be an absolute http or https address";
        }

        if (Secret is not { Length: >= 32 })
        {
            return $"{Section}:Secret is required with Url and must be at least 32 characters";
        }

        if (MaxAttempts is < 1 or > 100)
        {
            return $"{Section}:MaxAttempts must be between 1 and 100";
        }

        if (FirstRetryAfter <= TimeSpan.Zero || MaxRetryAfter < FirstRetryAfter || Timeout <= TimeSpan.Zero || ResumePeriod <= TimeSpan.Zero)
        {
            return $"{Section}: FirstRetryAfter, Timeout and ResumePeriod must be positive and MaxRetryAfter at least FirstRetryAfter";
        }

        return null;
    }

    /// <summary>The wait after <paramref name="attemptsMade"/> failed calls: the first retry after
    /// <see cref="FirstRetryAfter"/>, doubling up to <see cref="MaxRetryAfter"/>.</summary>
    public TimeSpan RetryAfter(int attemptsMade)
    {
        var wait = FirstRetryAfter;
        for (var i = 1; i < attemptsMade && wait < MaxRetryAfter; i++)
        {
            wait += wait;
        }

        return wait < MaxRetryAfter ? wait : MaxRetryAfter;
    }
}

/// <summary>Refuses half-configured webhook settings at start-up, with <see cref="NoticeWebhookOptions.Problem"/>'s words.</summary>
public sealed class NoticeWebhookOptionsValidator : Microsoft.Extensions.Options.IValidateOptions<NoticeWebhookOptions>
{
    public Microsoft.Extensions.Options.ValidateOptionsResult Validate(string? name, NoticeWebhookOptions options) =>
        options.Problem() is { } problem
            ? Microsoft.Extensions.Options.ValidateOptionsResult.Fail(problem)
            : Microsoft.Extensions.Options.ValidateOptionsResult.Success;
}
