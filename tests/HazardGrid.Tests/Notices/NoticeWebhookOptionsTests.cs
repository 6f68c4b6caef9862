using HazardGrid.Notifications;
using HazardGrid.Silo.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Xunit;

namespace HazardGrid.Tests.Notices;

/// <summary>The webhook's settings: off by default, refused when half-configured, and the backoff as documented.</summary>
public sealed class NoticeWebhookOptionsTests
{
    private const string Secret = "0123456789abcdef0123456789abcdef";

    [Fact]
    public void Without_settings_nothing_is_sent()
    {
        using var services = Services([]);
        Assert.False(services.GetRequiredService<INoticeDelivery>().Enabled);
    }

    [Fact]
    public void A_url_with_a_secret_turns_the_webhook_on()
    {
        using var services = Services(new() { ["Url"] = "https://sms.example/notices", ["Secret"] = Secret, ["MaxAttempts"] = "4", ["FirstRetryAfter"] = "00:00:05" });
        Assert.IsType<WebhookNoticeDelivery>(services.GetRequiredService<INoticeDelivery>());
        var options = services.GetRequiredService<IOptions<NoticeWebhookOptions>>().Value;
        Assert.Equal((4, TimeSpan.FromSeconds(5)), (options.MaxAttempts, options.FirstRetryAfter));
    }

    [Theory]
    [InlineData("ftp://sms.example/notices", Secret, "Url")]
    [InlineData("sms.example/notices", Secret, "Url")]
    [InlineData("https://sms.example/notices", null, "Secret")]
    [InlineData("https://sms.example/notices", "too-short", "Secret")]
    public void A_half_configured_webhook_is_refused_naming_the_setting(string url, string? secret, string setting)
    {
        using var services = Services(new() { ["Url"] = url, ["Secret"] = secret });
        var refused = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<NoticeWebhookOptions>>().Value);
        Assert.Contains($"{NoticeWebhookOptions.Section}:{setting}", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Retries_wait_30_s_doubling_up_to_30_min_so_the_eighth_call_is_about_an_hour_after_the_first()
    {
        var options = new NoticeWebhookOptions();
        var waits = Enumerable.Range(1, options.MaxAttempts - 1).Select(options.RetryAfter).ToList();
        Assert.Equal([30, 60, 120, 240, 480, 960, 1800], waits.Select(w => (int)w.TotalSeconds));
        Assert.InRange(waits.Sum(w => w.TotalMinutes), 60, 75);
    }

    private static ServiceProvider Services(Dictionary<string, string?> webhook)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(webhook.ToDictionary(s => $"{NoticeWebhookOptions.Section}:{s.Key}", s => s.Value))
            .Build();
        var services = new ServiceCollection().AddLogging().AddHazardGridDomain(configuration);
        services.AddSingleton<IGrainFactory>(_ => throw new InvalidOperationException("no cluster here"));
        return services.BuildServiceProvider();
    }
}
