using ChatBoost.Grains.WhatsApp;
using static ChatBoost.Grains.WhatsApp.MessageDeliveryStatus;

namespace ChatBoost.UnitTests.WhatsApp;

public class DeliveryStatusTests
{
    public static TheoryData<MessageDeliveryStatus?, MessageDeliveryStatus, bool> Table => new()
    {
        { null, Sent, true },
        { null, Delivered, true },
        { null, Read, true },
        { null, Failed, true },
        { null, Unknown, false },
        { Sent, Sent, false },
        { Sent, Delivered, true },
        { Sent, Read, true },
        { Sent, Failed, true },
        { Delivered, Sent, false },
        { Delivered, Delivered, false },
        { Delivered, Read, true },
        { Delivered, Failed, false },
        { Read, Sent, false },
        { Read, Delivered, false },
        { Read, Read, false },
        { Read, Failed, false },
        { Failed, Sent, false },
        { Failed, Delivered, false },
        { Failed, Read, false },
        { Failed, Failed, false },
        { Unknown, Sent, true },
        { Sent, Unknown, false },
    };

    [Theory]
    [MemberData(nameof(Table))]
    public void StatusOnlyMovesForward(MessageDeliveryStatus? current, MessageDeliveryStatus incoming, bool expected) =>
        Assert.Equal(expected, DeliveryStatus.ShouldApply(current, incoming));

    [Fact]
    public void OutOfOrderArrivalEndsAtTheHighestStatus()
    {
        MessageDeliveryStatus? current = null;
        foreach (var incoming in new[] { Read, Sent, Delivered, Sent, Read })
        {
            if (DeliveryStatus.ShouldApply(current, incoming))
            {
                current = incoming;
            }
        }

        Assert.Equal(Read, current);
    }

    [Theory]
    [InlineData("sent", Sent)]
    [InlineData("DELIVERED", Delivered)]
    [InlineData("read", Read)]
    [InlineData("failed", Failed)]
    [InlineData("deleted", Unknown)]
    [InlineData("", Unknown)]
    [InlineData(null, Unknown)]
    public void ParsesMetaStatusNames(string? raw, MessageDeliveryStatus expected) => Assert.Equal(expected, DeliveryStatus.Parse(raw));
}
