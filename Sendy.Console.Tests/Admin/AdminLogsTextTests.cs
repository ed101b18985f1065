using System.Collections;
using System.Globalization;
using System.Resources;
using Sendy.Console.Resources;
using Sendy.Engine.Deliveries;

namespace Sendy.Console.Tests.Admin;

public sealed class AdminLogsTextTests
{
    [Fact]
    public void every_english_string_has_a_korean_translation_and_every_status_a_name()
    {
        var manager = new ResourceManager(typeof(AdminLogsText));
        var english = Keys(manager, CultureInfo.InvariantCulture);
        var korean = Keys(manager, new CultureInfo("ko"));

        Assert.Empty(english.Except(korean));
        Assert.Empty(korean.Except(english));
        Assert.All(Enum.GetNames<DeliveryStatus>(), s => Assert.Contains("Status_" + s, english));
    }

    private static HashSet<string> Keys(ResourceManager manager, CultureInfo culture)
    {
        var set = manager.GetResourceSet(culture, createIfNotExists: true, tryParents: false)
            ?? throw new InvalidOperationException($"No {culture.Name} resources for {manager.BaseName}");
        return set.Cast<DictionaryEntry>().Select(e => (string)e.Key).ToHashSet();
    }
}
