using HazardGrid.Common;
using HazardGrid.Rollups;
using HazardGrid.Tips;
using Xunit;

namespace HazardGrid.Tests.Tips;

/// <summary>The tip lifecycle's rules and the tip figures, as pure functions.</summary>
public sealed class TipLifecycleTests
{
    private static readonly DateTimeOffset s_now = new(2025, 6, 10, 9, 0, 0, ChinaTime.Offset);

    private static RewardedTip Received(string id = "370406/1", TipsterIdentity? tipster = null) =>
        TipLifecycle.Receive(id, new TipReport(TipChannel.Hotline, null, "370406001", "某村", "举报内容", null, tipster), "370406001", s_now,
            WorkingDayCalendar.Official.AddWorkingDaysProvisionally(s_now, 15));

    [Fact]
    public void Each_step_is_allowed_only_from_its_state()
    {
        var steps = new TipCommand[]
        {
            new VerifyTipAsViolation("属实"), new DismissTip("不属实"), new DecideTipReward(100, null), new RecordTipRewardPayment(null, "JL-1"),
        };
        var tips = new Dictionary<TipStatus, RewardedTip> { [TipStatus.Received] = Received() };
        tips[TipStatus.Verified] = TipLifecycle.Apply(tips[TipStatus.Received], steps[0], s_now);
        tips[TipStatus.Dismissed] = TipLifecycle.Apply(tips[TipStatus.Received], steps[1], s_now);
        tips[TipStatus.RewardDecided] = TipLifecycle.Apply(tips[TipStatus.Verified], steps[2], s_now);
        tips[TipStatus.RewardPaid] = TipLifecycle.Apply(tips[TipStatus.RewardDecided], steps[3], s_now);
        var allowed = new Dictionary<Type, TipStatus>
        {
            [typeof(VerifyTipAsViolation)] = TipStatus.Received,
            [typeof(DismissTip)] = TipStatus.Received,
            [typeof(DecideTipReward)] = TipStatus.Verified,
            [typeof(RecordTipRewardPayment)] = TipStatus.RewardDecided,
        };
        foreach (var (status, tip) in tips)
        {
            Assert.Equal(status, tip.Status);
            foreach (var step in steps)
            {
                if (allowed[step.GetType()] == status)
                {
                    Assert.Equal(tip.Version + 1, TipLifecycle.Apply(tip, step, s_now).Version);
                }
                else
                {
                    var refused = Assert.Throws<DomainException>(() => TipLifecycle.Apply(tip, step, s_now));
                    Assert.Equal((DomainErrorKind.FailedPrecondition, "status"), (refused.Kind, refused.Field));
                }
            }
        }

        Assert.Equal(100, tips[TipStatus.RewardPaid].Facts.PaidFen);
        Assert.Equal(0, tips[TipStatus.RewardDecided].Facts.PaidFen);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    [InlineData(TipLifecycle.MaxRewardFen + 1)]
    public void A_reward_out_of_range_is_invalid(long fen) =>
        Assert.Equal("amount_fen", Assert.Throws<DomainException>(() => TipLifecycle.Validate(new DecideTipReward(fen, null), s_now)).Field);

    [Fact]
    public void Figures_count_tips_and_a_received_tips_due_time_is_a_clock_driven_change()
    {
        var received = Received("370406/1");
        var verified = TipLifecycle.Apply(Received("370406/2"), new VerifyTipAsViolation("属实"), s_now);
        var paid = TipLifecycle.Apply(TipLifecycle.Apply(verified with { Id = "370406/3" }, new DecideTipReward(18_660_000, null), s_now), new RecordTipRewardPayment(null, "JL"), s_now);
        var dismissed = TipLifecycle.Apply(Received("370406/4"), new DismissTip("不属实"), s_now);
        RewardedTip[] all = [received, verified, paid, dismissed];

        var now = HazardFigures.Count([], s_now, tips: all.Select(t => t.Facts));
        Assert.Equal((4, 2, 18_660_000L, 0), (now.TipsReceived, now.TipsVerified, now.TipRewardsPaidFen, now.TipVerificationsOverdue));
        Assert.Equal(received.VerificationDueAt.AddTicks(1), HazardFigures.NextChange([], s_now, tips: all.Select(t => t.Facts)));
        Assert.Equal(1, HazardFigures.Count([], received.VerificationDueAt.AddTicks(1), tips: all.Select(t => t.Facts)).TipVerificationsOverdue);
        Assert.Null(HazardFigures.NextChange([], s_now, tips: [verified.Facts, dismissed.Facts]));
    }

    [Fact]
    public void A_printed_tip_withholds_the_tipster()
    {
        var tip = Received(tipster: new TipsterIdentity("张三丰", "13900000000"));
        Assert.DoesNotContain("张三丰", tip.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("13900000000", new TipState { Tip = tip }.ToString(), StringComparison.Ordinal);
        Assert.Equal("张三丰", tip.Tipster!.Name);
    }
}
