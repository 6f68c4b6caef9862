using System.Globalization;
using System.Text.RegularExpressions;
using Google.Protobuf.Reflection;
using HazardGrid.Api.V1;
using HazardGrid.Gateway.Services;
using Xunit;

namespace HazardGrid.Tests.Domain;

/// <summary>
/// Every domain enum the gateway maps and its proto enum agree member by member: the proto's
/// names are its enum's prefix plus the SCREAMING_SNAKE form of the C# names, its zero is
/// X_UNSPECIFIED, and nothing else is on one side only. Where ApiMapper maps by number, the
/// numbers agree too. A member added on either side, or a renumbering, fails here.
/// </summary>
public sealed partial class EnumAgreementTests
{
    [Fact]
    public void Sectors_agree() => AssertAgree<Enterprises.Sector, Api.V1.Sector>(ApiMapper.ToApi, byNumber: true);

    [Fact]
    public void Report_channels_agree() => AssertAgree<Hazards.ReportChannel, Api.V1.ReportChannel>(ApiMapper.ToApi, byNumber: true);

    [Fact]
    public void Hazard_statuses_agree_with_hazard_states() => AssertAgree<Hazards.HazardStatus, HazardState>(ApiMapper.ToApi, byNumber: true);

    [Fact]
    public void Confirming_parties_agree() => AssertAgree<Hazards.ConfirmingParty, Api.V1.ConfirmingParty>(ApiMapper.ToApi, byNumber: true);

    [Fact]
    public void Supervision_levels_agree() => AssertAgree<Escalations.SupervisionLevel, Api.V1.SupervisionLevel>(ApiMapper.ToApi, byNumber: true);

    [Fact]
    public void Escalation_steps_agree() => AssertAgree<Escalations.EscalationStep, Api.V1.EscalationStep>(ApiMapper.ToApi, byNumber: true);

    [Fact]
    public void Trail_actions_agree() => AssertAgree<Hazards.TrailAction, Api.V1.TrailAction>(ApiMapper.ToApi, byNumber: true);

    [Fact]
    public void Direct_report_kinds_agree() => AssertAgree<Escalations.DirectReportKind, Api.V1.DirectReportKind>(ApiMapper.ToApi, byNumber: true);

    [Fact]
    public void Notification_kinds_agree() => AssertAgree<Notifications.NotificationKind, Api.V1.NotificationKind>(ApiMapper.ToApi, byNumber: true);

    [Fact]
    public void Recipient_roles_agree() => AssertAgree<Notifications.RecipientRole, Api.V1.RecipientRole>(ApiMapper.ToApi, byNumber: true);

    [Fact]
    public void Delivery_states_agree() => AssertAgree<Notifications.DeliveryState, Api.V1.DeliveryState>(ApiMapper.ToApi, byNumber: true);

    [Fact]
    public void Receipt_outcomes_agree() => AssertAgree<Notifications.ReceiptOutcome, Api.V1.ReceiptOutcome>(ApiMapper.ToApi, byNumber: true);

    /// <summary>The domain's levels count from 0 (province) and are mapped by name, not number.</summary>
    [Fact]
    public void Region_levels_agree_by_name() => AssertAgree<Regions.RegionLevel, Api.V1.RegionLevel>(ApiMapper.ToApi, byNumber: false);

    [Fact]
    public void The_trigger_the_ladder_stores_reads_as_LADDER_and_every_trigger_value_has_a_source()
    {
        Assert.Equal(Enterprises.EnterpriseGrain.EscalationTrigger, ApiMapper.LadderTrigger);
        var produced = new Dictionary<string, Api.V1.EscalationTrigger>
        {
            [Enterprises.EnterpriseGrain.EscalationTrigger] = Api.V1.EscalationTrigger.Ladder,
        };
        foreach (var (stored, expected) in produced)
        {
            Assert.Equal(expected, ApiMapper.ToApiTrigger(stored));
        }

        var descriptor = DescriptorOf<Api.V1.EscalationTrigger>();
        AssertZeroIsUnspecified(descriptor);
        Assert.Equal(
            descriptor.Values.Where(v => v.Number != 0).Select(v => v.Number).Order(),
            produced.Values.Select(v => (int)v).Distinct().Order());
        Assert.Equal(Api.V1.EscalationTrigger.Unspecified, ApiMapper.ToApiTrigger("something-else"));
    }

    private static void AssertAgree<TDomain, TProto>(Func<TDomain, TProto> toApi, bool byNumber)
        where TDomain : struct, Enum
        where TProto : struct, Enum
    {
        var descriptor = DescriptorOf<TProto>();
        var prefix = AssertZeroIsUnspecified(descriptor);

        // The C# the proto compiler generated holds exactly the descriptor's values.
        Assert.Equal(descriptor.Values.Select(v => v.Number).Order(), Enum.GetValues<TProto>().Select(v => Convert.ToInt32(v, CultureInfo.InvariantCulture)).Order());

        var mapped = new HashSet<int>();
        foreach (var member in Enum.GetValues<TDomain>())
        {
            var expectedName = prefix + ScreamingSnake(member.ToString());
            var value = descriptor.FindValueByName(expectedName);
            Assert.True(value is not null, $"{typeof(TDomain).Name}.{member} has no {descriptor.Name}.{expectedName} in the proto");
            var wire = Convert.ToInt32(toApi(member), CultureInfo.InvariantCulture);
            Assert.True(value.Number == wire, $"{typeof(TDomain).Name}.{member} is mapped to {wire}, not {expectedName} ({value.Number})");
            if (byNumber)
            {
                Assert.True(value.Number == Convert.ToInt32(member, CultureInfo.InvariantCulture),
                    $"{typeof(TDomain).Name}.{member} is {Convert.ToInt32(member, CultureInfo.InvariantCulture)} but {expectedName} is {value.Number}");
            }

            mapped.Add(wire);
        }

        foreach (var value in descriptor.Values.Where(v => v.Number != 0))
        {
            Assert.True(mapped.Contains(value.Number), $"{descriptor.Name}.{value.Name} has no {typeof(TDomain).Name} member");
        }
    }

    /// <summary>Asserts the zero value is {ENUM}_UNSPECIFIED and returns the values' prefix, {ENUM}_.</summary>
    private static string AssertZeroIsUnspecified(EnumDescriptor descriptor)
    {
        var prefix = ScreamingSnake(descriptor.Name) + "_";
        var zero = descriptor.FindValueByNumber(0);
        Assert.True(zero is not null && zero.Name == prefix + "UNSPECIFIED", $"{descriptor.Name}'s zero must be {prefix}UNSPECIFIED");
        return prefix;
    }

    private static EnumDescriptor DescriptorOf<TProto>() where TProto : struct, Enum =>
        HazardgridReflection.Descriptor.EnumTypes.Single(e => e.ClrType == typeof(TProto));

    private static string ScreamingSnake(string pascal) => WordBoundary().Replace(pascal, "_").ToUpperInvariant();

    [GeneratedRegex("(?<=[a-z0-9])(?=[A-Z])")]
    private static partial Regex WordBoundary();
}
