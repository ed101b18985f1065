using System.Text.RegularExpressions;

namespace Sendy.Engine.Deliveries;

/// <summary>The phone numbers Sendy stores (customers', shippers' contacts): E.164, "+" and 7 to 15 digits.</summary>
public static partial class PhoneNumbers
{
    [GeneratedRegex(@"^\+[1-9][0-9]{6,14}$")]
    public static partial Regex E164();
}
