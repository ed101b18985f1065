using System.Collections;
using System.Globalization;
using System.Resources;
using Sendy.Console.Resources;

namespace Sendy.Console.Tests.Resources;

public sealed class ResourceCompletenessTests
{
    public static TheoryData<Type> ResourceTypes => [typeof(CommonText), typeof(TrackText), typeof(DriverText), typeof(DispatchText),
        typeof(DeliveriesText), typeof(AdminFleetText), typeof(AdminLogsText), typeof(AdminText), typeof(AccountText), typeof(StatusText),
        typeof(IntegrationsText), typeof(WebhooksText), typeof(HistoryText)];

    [Theory]
    [MemberData(nameof(ResourceTypes))]
    public void every_english_string_has_a_korean_translation(Type resource)
    {
        var manager = new ResourceManager(resource);
        var english = Keys(manager, CultureInfo.InvariantCulture);
        var korean = Keys(manager, new CultureInfo("ko"));

        Assert.NotEmpty(english);
        Assert.Empty(english.Except(korean));
        Assert.Empty(korean.Except(english));
    }

    private static HashSet<string> Keys(ResourceManager manager, CultureInfo culture)
    {
        var set = manager.GetResourceSet(culture, createIfNotExists: true, tryParents: false)
            ?? throw new InvalidOperationException($"No {culture.Name} resources for {manager.BaseName}");
        return set.Cast<DictionaryEntry>().Select(e => (string)e.Key).ToHashSet();
    }
}
