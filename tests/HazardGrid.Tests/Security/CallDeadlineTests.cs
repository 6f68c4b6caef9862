using Grpc.Core;
using HazardGrid.Gateway.Errors;
using HazardGrid.Gateway.Security;
using Microsoft.Extensions.Options;
using Xunit;

namespace HazardGrid.Tests.Security;

/// <summary>The service's own limit on how long it works on a unary call.</summary>
public sealed class CallDeadlineTests
{
    private readonly CallDeadlineInterceptor _interceptor = new(Options.Create(new LimitOptions { MaxCallDuration = TimeSpan.FromMilliseconds(100) }));

    [Fact]
    public async Task A_call_longer_than_the_limit_is_answered_deadline_exceeded()
    {
        var ex = await Assert.ThrowsAsync<RpcException>(() => _interceptor.UnaryServerHandler<string, string>(
            "request", null!, async (_, _) => { await Task.Delay(TimeSpan.FromSeconds(5)); return "late"; }));
        Assert.Equal(StatusCode.DeadlineExceeded, ex.StatusCode);
        Assert.Contains("retry with the same request_id", ex.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_call_within_the_limit_answers_and_its_own_failures_pass_unchanged()
    {
        Assert.Equal("done", await _interceptor.UnaryServerHandler<string, string>("request", null!, (_, _) => Task.FromResult("done")));
        await Assert.ThrowsAsync<TimeoutException>(() => _interceptor.UnaryServerHandler<string, string>(
            "request", null!, (_, _) => Task.FromException<string>(new TimeoutException("a silo timed out"))));
    }
}
