namespace Sendy.Engine.Tests.Aws;

/// <summary>
/// Vectors from AWS's Signature Version 4 test suite (aws-sig-v4-test-suite, 2015-08-30):
/// credentials AKIDEXAMPLE, region us-east-1, service "service", x-amz-date 20150830T123600Z.
/// Each holds the request as given and the suite's canonical request, string to sign and
/// Authorization header. Plus the worked IAM ListUsers example from the SigV4 documentation.
/// </summary>
public sealed record SigV4Vector(
    string Name,
    string Method,
    string Path,
    string Query,
    (string Name, string Value)[] Headers,
    string Body,
    string CanonicalRequest,
    string StringToSign,
    string Authorization,
    string Service = "service",
    string? SessionToken = null)
{
    public override string ToString() => Name;
}

public static class SigV4TestSuite
{
    public const string AccessKey = "AKIDEXAMPLE";
    public const string SecretKey = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    public const string Region = "us-east-1";
    public static readonly DateTimeOffset SignedAt = new(2015, 8, 30, 12, 36, 0, TimeSpan.Zero);

    public const string StsToken =
        "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA==";

    private const string Empty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    private const string Host = "example.amazonaws.com";
    private const string Date = "20150830T123600Z";
    private const string Scope = "20150830/us-east-1/service/aws4_request";

    private static readonly (string, string)[] HostAndDate = [("Host", Host), ("X-Amz-Date", Date)];

    private static string Sts(string hash) => $"AWS4-HMAC-SHA256\n{Date}\n{Scope}\n{hash}";

    private static string Authz(string signedHeaders, string signature) =>
        $"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/{Scope}, SignedHeaders={signedHeaders}, Signature={signature}";

    /// <summary>GET or POST with only host and x-amz-date: the shape most vectors share.</summary>
    private static SigV4Vector Plain(string name, string method, string path, string query, string canonicalPath, string canonicalQuery, string stsHash, string signature) =>
        new(name, method, path, query, HostAndDate, "",
            $"{method}\n{canonicalPath}\n{canonicalQuery}\nhost:{Host}\nx-amz-date:{Date}\n\nhost;x-amz-date\n{Empty}",
            Sts(stsHash),
            Authz("host;x-amz-date", signature));

    public static IReadOnlyList<SigV4Vector> All { get; } =
    [
        Plain("get-vanilla", "GET", "/", "", "/", "",
            "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63",
            "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
        Plain("get-vanilla-query-order-key-case", "GET", "/", "Param2=value2&Param1=value1", "/", "Param1=value1&Param2=value2",
            "816cd5b414d056048ba4f7c5386d6e0533120fb1fcfa93762cf0fc39e2cf19e0",
            "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"),
        Plain("get-vanilla-query-order-key", "GET", "/", "Param1=value2&Param1=Value1", "/", "Param1=Value1&Param1=value2",
            "704b4cef673542d84cdff252633f065e8daeba5f168b77116f8b1bcaf3d38f89",
            "eedbc4e291e521cf13422ffca22be7d2eb8146eecf653089df300a15b2382bd1"),
        Plain("get-vanilla-query-order-value", "GET", "/", "Param1=value2&Param1=value1", "/", "Param1=value1&Param1=value2",
            "c968629d70850097a2d8781c9bf7edcb988b04cac14cca9be4acc3595f884606",
            "5772eed61e12b33fae39ee5e7012498b51d56abc0abb7c60486157bd471c4694"),
        Plain("get-vanilla-empty-query-key", "GET", "/", "Param1=value1", "/", "Param1=value1",
            "1e24db194ed7d0eec2de28d7369675a243488e08526e8c1c73571282f7c517ab",
            "a67d582fa61cc504c4bae71f336f98b97f1ea3c7a6bfe1b6e45aec72011b9aeb"),
        Plain("get-vanilla-query-unreserved", "GET", "/",
            "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz=-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
            "/",
            "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz=-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
            "c30d4703d9f799439be92736156d47ccfb2d879ddf56f5befa6d1d6aab979177",
            "9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197"),
        Plain("get-vanilla-utf8-query", "GET", "/", "\u1234=bar", "/", "%E1%88%B4=bar",
            "eb30c5bed55734080471a834cc727ae56beb50e5f39d1bff6d0d38cb192a7073",
            "2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04"),
        Plain("get-unreserved", "GET", "/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", "",
            "/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", "",
            "6a968768eefaa713e2a6b16b589a8ea192661f098f37349f4e2c0082757446f9",
            "07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f"),
        Plain("get-utf8", "GET", "/\u1234", "", "/%E1%88%B4", "",
            "2a0a97d02205e45ce2e994789806b19270cfbbb0921b278ccf58f5249ac42102",
            "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85"),
        Plain("get-space", "GET", "/example space/", "", "/example%20space/", "",
            "63ee75631ed7234ae61b5f736dfc7754cdccfedbff4b5128a915706ee9390d86",
            "652487583200325589f1fba4c7e578f72c47cb61beeca81406b39ddec1366741"),

        // normalize-path
        Plain("get-relative", "GET", "/example/..", "", "/", "",
            "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63",
            "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
        Plain("get-relative-relative", "GET", "/example1/example2/../..", "", "/", "",
            "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63",
            "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
        Plain("get-slash", "GET", "//", "", "/", "",
            "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63",
            "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
        Plain("get-slash-dot-slash", "GET", "/./", "", "/", "",
            "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63",
            "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
        Plain("get-slash-pointless-dot", "GET", "/./example", "", "/example", "",
            "214d50c111a8edc4819da6a636336472c916b5240f51e9a51b5c3305180cf702",
            "ef75d96142cf21edca26f06005da7988e4f8dc83a165a80865db7089db637ec5"),
        Plain("get-slashes", "GET", "//example//", "", "/example/", "",
            "cb96b4ac96d501f7c5c15bc6d67b3035061cfced4af6585ad927f7e6c985c015",
            "9a624bd73a37c9a373b5312afbebe7a714a789de108f0bdfe846570885f57e84"),

        Plain("post-vanilla", "POST", "/", "", "/", "",
            "553f88c9e4d10fc9e109e2aeb65f030801b70c2f6468faca261d401ae622fc87",
            "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"),
        Plain("post-vanilla-query", "POST", "/", "Param1=value1", "/", "Param1=value1",
            "9d659678c1756bb3113e2ce898845a0a79dbbc57b740555917687f1b3340fbbd",
            "28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11"),

        new("get-header-key-duplicate", "GET", "/", "",
            [("Host", Host), ("My-Header1", "value2"), ("My-Header1", "value2"), ("My-Header1", "value1"), ("X-Amz-Date", Date)], "",
            $"GET\n/\n\nhost:{Host}\nmy-header1:value2,value2,value1\nx-amz-date:{Date}\n\nhost;my-header1;x-amz-date\n{Empty}",
            Sts("dc7f04a3abfde8d472b0ab1a418b741b7c67174dad1551b4117b15527fbe966c"),
            Authz("host;my-header1;x-amz-date", "c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea")),
        new("get-header-value-order", "GET", "/", "",
            [("Host", Host), ("My-Header1", "value4"), ("My-Header1", "value1"), ("My-Header1", "value3"), ("My-Header1", "value2"), ("X-Amz-Date", Date)], "",
            $"GET\n/\n\nhost:{Host}\nmy-header1:value4,value1,value3,value2\nx-amz-date:{Date}\n\nhost;my-header1;x-amz-date\n{Empty}",
            Sts("31ce73cd3f3d9f66977ad3dd957dc47af14df92fcd8509f59b349e9137c58b86"),
            Authz("host;my-header1;x-amz-date", "08c7e5a9acfcfeb3ab6b2185e75ce8b1deb5e634ec47601a50643f830c755c01")),
        new("get-header-value-trim", "GET", "/", "",
            [("Host", Host), ("My-Header1", " value1"), ("My-Header2", " \"a   b   c\""), ("X-Amz-Date", Date)], "",
            $"GET\n/\n\nhost:{Host}\nmy-header1:value1\nmy-header2:\"a b c\"\nx-amz-date:{Date}\n\nhost;my-header1;my-header2;x-amz-date\n{Empty}",
            Sts("a726db9b0df21c14f559d0a978e563112acb1b9e05476f0a6a1c7d68f28605c7"),
            Authz("host;my-header1;my-header2;x-amz-date", "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736")),
        new("post-header-key-sort", "POST", "/", "",
            [("Host", Host), ("My-Header1", "value1"), ("X-Amz-Date", Date)], "",
            $"POST\n/\n\nhost:{Host}\nmy-header1:value1\nx-amz-date:{Date}\n\nhost;my-header1;x-amz-date\n{Empty}",
            Sts("9368318c2967cf6de74404b30c65a91e8f6253e0a8659d6d5319f1a812f87d65"),
            Authz("host;my-header1;x-amz-date", "c5410059b04c1ee005303aed430f6e6645f61f4dc9e1461ec8f8916fdf18852c")),
        new("post-header-value-case", "POST", "/", "",
            [("Host", Host), ("My-Header1", "VALUE1"), ("X-Amz-Date", Date)], "",
            $"POST\n/\n\nhost:{Host}\nmy-header1:VALUE1\nx-amz-date:{Date}\n\nhost;my-header1;x-amz-date\n{Empty}",
            Sts("d51ced243e649e3de6ef63afbbdcbca03131a21a7103a1583706a64618606a93"),
            Authz("host;my-header1;x-amz-date", "cdbc9802e29d2942e5e10b5bccfdd67c5f22c7c4e8ae67b53629efa58b974b7d")),
        new("post-x-www-form-urlencoded", "POST", "/", "",
            [("Content-Type", "application/x-www-form-urlencoded"), ("Host", Host), ("X-Amz-Date", Date)], "Param1=value1",
            $"POST\n/\n\ncontent-type:application/x-www-form-urlencoded\nhost:{Host}\nx-amz-date:{Date}\n\ncontent-type;host;x-amz-date\n9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e",
            Sts("42a5e5bb34198acb3e84da4f085bb7927f2bc277ca766e6d19c73c2154021281"),
            Authz("content-type;host;x-amz-date", "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a")),
        new("post-sts-header-before", "POST", "/", "",
            [("Host", Host), ("X-Amz-Date", Date), ("X-Amz-Security-Token", StsToken)], "",
            $"POST\n/\n\nhost:{Host}\nx-amz-date:{Date}\nx-amz-security-token:{StsToken}\n\nhost;x-amz-date;x-amz-security-token\n{Empty}",
            Sts("c237e1b440d4c63c32ca95b5b99481081cb7b13c7e40434868e71567c1a882f6"),
            Authz("host;x-amz-date;x-amz-security-token", "85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead"),
            SessionToken: StsToken),

        // The worked example of the SigV4 documentation (IAM ListUsers).
        new("iam-list-users", "GET", "/", "Action=ListUsers&Version=2010-05-08",
            [("Content-Type", "application/x-www-form-urlencoded; charset=utf-8"), ("Host", "iam.amazonaws.com"), ("X-Amz-Date", Date)], "",
            $"GET\n/\nAction=ListUsers&Version=2010-05-08\ncontent-type:application/x-www-form-urlencoded; charset=utf-8\nhost:iam.amazonaws.com\nx-amz-date:{Date}\n\ncontent-type;host;x-amz-date\n{Empty}",
            $"AWS4-HMAC-SHA256\n{Date}\n20150830/us-east-1/iam/aws4_request\nf536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59",
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7",
            Service: "iam"),
    ];

    public static TheoryData<SigV4Vector> Cases()
    {
        var data = new TheoryData<SigV4Vector>();
        foreach (SigV4Vector vector in All)
        {
            data.Add(vector);
        }

        return data;
    }
}
