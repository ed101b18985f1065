using AngleSharp.Dom;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Sendy.Console.Components.Pages.Admin;
using Sendy.Engine.Integrations;
using Sendy.Engine.Tests.Infrastructure;

namespace Sendy.Console.Tests.Admin;

/// <summary>/admin/integrations on real PostgreSQL: creating an API client (its key shown once), the list, revoking.</summary>
public sealed class IntegrationsPageTests : FleetAdminContext, IClassFixture<TestDatabase>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    public IntegrationsPageTests(TestDatabase db) : base(db)
    {
        Services.AddSingleton(Options.Create(new ApiClientOptions()));
        Services.AddSingleton<ApiClientRegistry>();
        SignInAsAdmin(Guid.NewGuid().ToString(), "boss@test.local");
    }

    private ApiClientRegistry Clients => Services.GetRequiredService<ApiClientRegistry>();

    private IRenderedComponent<Bunit.Rendering.ContainerFragment> Page()
    {
        var page = RenderPage<IntegrationsPage>();
        page.WaitForElement("[data-testid=integrations-page][data-loaded=true]", Patience);
        return page;
    }

    private static IElement Row(IRenderedComponent<Bunit.Rendering.ContainerFragment> page, string name) =>
        page.FindAll("[data-testid=clients] tbody tr").Single(r => r.QuerySelector("[data-testid=client-row-name]")!.TextContent.Trim() == name);

    /// <summary>The scope's checkbox input (MudBlazor puts the test id on the input or on its wrapper, by version).</summary>
    private static IElement Checkbox(IRenderedComponent<Bunit.Rendering.ContainerFragment> page, string id)
    {
        var element = page.Find($"[data-testid={id}]");
        return element.TagName == "INPUT" ? element : element.QuerySelector("input")!;
    }

    private static string NewName() => "Booking " + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task an_admin_creates_a_client_sees_its_key_once_and_the_key_works_with_the_chosen_scopes()
    {
        var name = NewName();
        var page = Page();

        await page.Find("[data-testid=client-name]").ChangeAsync(new() { Value = name });
        await Checkbox(page, "scope-positions-read").ChangeAsync(new() { Value = true });
        await Checkbox(page, "scope-deliveries-write").ChangeAsync(new() { Value = false });
        await page.Find("[data-testid=create-client]").ClickAsync(new());

        var key = page.WaitForElement("[data-testid=new-key]", Patience).GetAttribute("value")!;
        Assert.Matches("^sendy_sk_[0-9A-Za-z]{43}$", key);
        var caller = await Clients.AuthenticateAsync(key, default);
        Assert.Equal(name, caller!.Name);
        Assert.Equal([ApiScopes.DeliveriesRead, ApiScopes.PositionsRead], caller.Scopes);
        var row = Row(page, name);
        Assert.Contains(key[..13] + "…", row.TextContent, StringComparison.Ordinal);
        Assert.Contains("Active", row.QuerySelector("[data-testid=client-status]")!.TextContent, StringComparison.Ordinal);
        Assert.Contains("boss@test.local", row.TextContent, StringComparison.Ordinal);

        // Opened again, the page lists the client, never its key.
        await DisposeComponentsAsync();
        var again = Page();
        Assert.Empty(again.FindAll("[data-testid=new-key]"));
        Assert.DoesNotContain(key, again.Markup, StringComparison.Ordinal);
        Assert.NotNull(Row(again, name));
    }

    [Fact]
    public async Task a_missing_name_a_taken_name_and_no_scopes_are_shown_on_their_fields_and_nothing_is_created()
    {
        var taken = NewName();
        await Clients.CreateAsync(taken, [ApiScopes.DeliveriesRead], "someone", default);
        var before = (await Clients.ListAsync(default)).Count;
        var page = Page();

        await page.Find("[data-testid=create-client]").ClickAsync(new());
        page.WaitForAssertion(() => Assert.Contains("Enter a name.", page.Markup, StringComparison.Ordinal), Patience);

        await page.Find("[data-testid=client-name]").ChangeAsync(new() { Value = taken });
        await page.Find("[data-testid=create-client]").ClickAsync(new());
        page.WaitForAssertion(() => Assert.Contains("An active client already has this name.", page.Markup, StringComparison.Ordinal), Patience);

        await page.Find("[data-testid=client-name]").ChangeAsync(new() { Value = NewName() });
        await Checkbox(page, "scope-deliveries-read").ChangeAsync(new() { Value = false });
        await Checkbox(page, "scope-deliveries-write").ChangeAsync(new() { Value = false });
        await page.Find("[data-testid=create-client]").ClickAsync(new());
        page.WaitForAssertion(() => Assert.Equal("Choose at least one scope.", page.Find("[data-testid=scopes-error]").TextContent), Patience);

        Assert.Empty(page.FindAll("[data-testid=new-key]"));
        Assert.Equal(before, (await Clients.ListAsync(default)).Count);
    }

    [Fact]
    public async Task revoking_asks_first_then_the_key_stops_working_and_the_row_says_revoked()
    {
        var name = NewName();
        var (created, _) = await Clients.CreateAsync(name, [ApiScopes.DeliveriesRead], "someone", default);
        Assert.NotNull(await Clients.AuthenticateAsync(created!.Secret, default));
        var page = Page();

        await Row(page, name).QuerySelector("[data-testid=revoke]")!.ClickAsync(new());
        await page.WaitForElement("[data-testid=revoke-confirm]", Patience).ClickAsync(new());

        page.WaitForAssertion(() => Assert.Contains("Revoked", Row(page, name).QuerySelector("[data-testid=client-status]")!.TextContent, StringComparison.Ordinal), Patience);
        Assert.Empty(Row(page, name).QuerySelectorAll("[data-testid=revoke]"));
        Assert.Null(await Clients.AuthenticateAsync(created.Secret, default));
        Assert.Equal("boss@test.local", (await Clients.ListAsync(default)).Single(c => c.Id == created.Client.Id).RevokedBy);
    }
}
