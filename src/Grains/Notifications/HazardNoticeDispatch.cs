using System.Collections.Immutable;
using HazardGrid.Common;
using HazardGrid.Hazards;

namespace HazardGrid.Notifications;

/// <summary>
/// Sends one hazard's pending notices, for one activation of its grain. The hazard's stored
/// notices are the outbox: a write that adds notices marks them pending in that same write, and
/// only then does sending start, off the write path. The hazard is listed in its town's outbox
/// (<see cref="INoticeOutboxGrain"/>) before the write is answered, so a restart or a
/// deactivation loses no notice: the outbox wakes the hazard again.
/// <para>Webhook calls run in a timer that interleaves (a slow gateway never holds up the
/// hazard's writes or reads); their results come back as a call to the grain itself
/// (<see cref="IMajorHazardGrain.RecordNoticeAttempts"/>), applied in turn with every other write.</para>
/// </summary>
internal sealed class HazardNoticeDispatch(Grain grain, IPersistentState<HazardState> state, NoticeSender sender, DomainClock clock)
{
    /// <summary>How far a receipt's time may run ahead of the service's clock: the gateway's clock may
    /// be a little fast, but a receipt from the future is a gateway's mistake, not a delivery.</summary>
    public static readonly TimeSpan ReceiptClockSkew = TimeSpan.FromMinutes(5);

    private IGrainTimer? _timer;
    private bool _listed;
    private bool _sending;
    private int _rounds;

    /// <summary>After a write (or the answer to a retried request): new notices go out now, and the
    /// hazard is listed in its town's outbox before the write is acknowledged.</summary>
    public Task AfterWrite() => sender.Enabled ? Settle(_sending ? null : TimeSpan.Zero, fromOutbox: false) : Task.CompletedTask;

    /// <summary>The town's outbox woke this hazard: resume sending unless already under way.</summary>
    public Task Resume() => sender.Enabled ? Settle(_timer is null && !_sending ? TimeSpan.Zero : null, fromOutbox: true) : Task.CompletedTask;

    public async Task RecordAttempts(ImmutableArray<NoticeAttempt> attempts)
    {
        // The round is over once its results are in; a notice made meanwhile goes in the next.
        _sending = false;
        var before = state.State.Notifications;
        var after = NoticeOutbox.ApplyAttempts(before, attempts, sender.Options.MaxAttempts);
        if (!ReferenceEquals(before, after))
        {
            await state.WriteOrRollBackAsync(state.State with { Notifications = after }, grain);
            sender.Recorded(before, after);
        }

        // The next round waits for the backoff of the notice tried most often, unless a notice made
        // while this round was under way has not been tried at all.
        var pending = NoticeOutbox.Pending(after);
        await Settle(
            pending.IsEmpty ? null : pending.Any(n => n.Delivery!.Attempts == 0) ? TimeSpan.Zero : sender.Options.RetryAfter(pending.Max(n => n.Delivery!.Attempts)),
            fromOutbox: false);
    }

    public async Task<Notification> RecordReceipt(NoticeReceipt receipt, WriteScope? scope, string provinceCode)
    {
        if (state.State.Hazard is not { } hazard)
        {
            var id = grain.GetPrimaryKeyString();
            throw scope is null || scope.Region == provinceCode
                ? DomainException.NotFound("hazard", $"hazard {id} does not exist")
                : scope.OutOfScope("hazard", $"hazard {id}");
        }

        scope?.Require(hazard.TownCode, "hazard", $"hazard {hazard.Id}");
        if (receipt.At > clock.Now + ReceiptClockSkew)
        {
            throw DomainException.Invalid("event_time", $"is {receipt.At:O}, ahead of the service's clock ({clock.Now:O}) by more than {ReceiptClockSkew.TotalMinutes:0} minutes");
        }

        var before = state.State.Notifications;
        var (after, notice) = NoticeOutbox.ApplyReceipt(before, receipt);
        if (!ReferenceEquals(before, after))
        {
            await state.WriteOrRollBackAsync(state.State with { Notifications = after }, grain);
            sender.Recorded(before, after);
            if (sender.Enabled)
            {
                await Settle(null, fromOutbox: false);
            }
        }

        return notice;
    }

    /// <summary>Lists or unlists the hazard in its town's outbox as it has pending notices or not,
    /// and arms the send timer <paramref name="sendAfter"/> from now (null: leave it as it is).</summary>
    private async Task Settle(TimeSpan? sendAfter, bool fromOutbox)
    {
        if (state.State.Hazard is not { } hazard)
        {
            return;
        }

        if (NoticeOutbox.Pending(state.State.Notifications).IsEmpty)
        {
            _timer?.Dispose();
            _timer = null;
            if (_listed || fromOutbox)
            {
                await sender.Outbox(hazard.TownCode).Settled(hazard.Id);
                _listed = false;
            }

            return;
        }

        if (!_listed)
        {
            if (!fromOutbox)
            {
                await sender.Outbox(hazard.TownCode).Expect(hazard.Id);
            }

            _listed = true;
        }

        if (sendAfter is { } due)
        {
            _timer?.Dispose();
            // One shot, re-armed by each round's results; kept alive while it waits, so the retry
            // is not lost to the idle-minute collection (the outbox would still wake it later).
            _timer = grain.RegisterGrainTimer(SendDue, new GrainTimerCreationOptions(due, Timeout.InfiniteTimeSpan) { Interleave = true, KeepAlive = true });
        }
    }

    private async Task SendDue(CancellationToken cancellationToken)
    {
        // This one-shot timer is disposed only when the round is over: disposing a timer cancels
        // the token of the callback it is running.
        var fired = _timer;
        _timer = null;
        var due = NoticeOutbox.Pending(state.State.Notifications);
        if (due.IsEmpty || _sending)
        {
            fired?.Dispose();
            return;
        }

        _sending = true;
        var round = ++_rounds;
        try
        {
            var results = await Task.WhenAll(due.Select(async notice =>
            {
                var attempt = notice.Delivery!.Attempts + 1;
                var error = await sender.Send(notice, attempt, cancellationToken);
                return new NoticeAttempt(notice.Id, attempt, clock.Now, error);
            }));
            await grain.AsReference<IMajorHazardGrain>().RecordNoticeAttempts([.. results]);
        }
        catch (Exception failed) when (failed is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Recording failed (a storage error retired the activation, or the call timed out): the
            // attempt is not counted; try again after the first backoff, or the outbox wakes us.
            sender.Failed(grain.GetPrimaryKeyString(), failed);
            _timer ??= grain.RegisterGrainTimer(SendDue, new GrainTimerCreationOptions(sender.Options.FirstRetryAfter, Timeout.InfiniteTimeSpan) { Interleave = true, KeepAlive = true });
        }
        finally
        {
            // Unless the results already ended this round and another began.
            if (round == _rounds)
            {
                _sending = false;
            }

            fired?.Dispose();
        }
    }
}
