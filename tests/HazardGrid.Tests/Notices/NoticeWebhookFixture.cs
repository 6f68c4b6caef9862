using HazardGrid.Notifications;
using HazardGrid.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace HazardGrid.Tests.Notices;

/// <summary>
/// A test cluster whose silos send notices to a real <see cref="NoticeReceiver"/> through the
/// shipped webhook: three attempts, retries after 100 ms doubling up to 400 ms, so a notice is
/// dead-lettered within a second.
/// </summary>
public sealed class NoticeWebhookFixture : IAsyncLifetime
{
    public const string Secret = "test-webhook-secret-0123456789-abcdefghij";
    public const int MaxAttempts = 3;

    public NoticeReceiver Receiver { get; } = new();

    public ClusterFixture Cluster { get; private set; } = null!;

    public static void Configure(NoticeWebhookOptions o, Uri url)
    {
        o.Url = url.ToString();
        o.Secret = Secret;
        o.MaxAttempts = MaxAttempts;
        o.FirstRetryAfter = TimeSpan.FromMilliseconds(100);
        o.MaxRetryAfter = TimeSpan.FromMilliseconds(400);
        o.Timeout = TimeSpan.FromSeconds(5);
        o.ResumePeriod = TimeSpan.FromSeconds(1);
    }

    public async Task InitializeAsync()
    {
        await Receiver.StartAsync();
        Cluster = new ClusterFixture { Silo = silo => silo.Services.Configure<NoticeWebhookOptions>(o => Configure(o, Receiver.Url)) };
        await Cluster.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await Cluster.DisposeAsync();
        await Receiver.DisposeAsync();
    }
}
