using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Sendy.Engine.Integrations;
using Sendy.Engine.Storage;
using Sendy.Engine.Tests.Infrastructure;

namespace Sendy.Engine.Tests.Integrations;

/// <summary>API clients on real PostgreSQL: creation, the secret's shape, checks, revocation, last use.</summary>
public sealed class ApiClientRegistryTests(TestDatabase db) : IClassFixture<TestDatabase>
{
    private static readonly DateTimeOffset Now = new(2026, 12, 5, 9, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(Now);

    private IDbContextFactory<SendyDbContext> Contexts => new ContextFactory(db);

    private ApiClientRegistry Registry(ApiClientOptions? options = null) => new(Contexts, Options.Create(options ?? new ApiClientOptions()), _time);

    private static string NewName() => "Booking " + Guid.NewGuid().ToString("N")[..8];

    private async Task<CreatedApiClient> CreateAsync(ApiClientRegistry registry, params string[] scopes)
    {
        var (created, problems) = await registry.CreateAsync(NewName(), scopes.Length == 0 ? ApiScopes.All : scopes, "admin@test.local", default);
        Assert.Empty(problems);
        return created!;
    }

    [Fact]
    public async Task a_new_client_gets_a_prefixed_secret_that_is_stored_only_hashed()
    {
        var created = await CreateAsync(Registry(), ApiScopes.DeliveriesRead);

        Assert.Matches("^sendy_sk_[0-9A-Za-z]{43}$", created.Secret);
        Assert.Equal(created.Secret[..13] + "…", created.Client.SecretHint);
        Assert.Equal([ApiScopes.DeliveriesRead], created.Client.Scopes);
        Assert.Equal(0L, await db.ScalarAsync<long>("SELECT count(*) FROM api_clients WHERE position($1 in secret_hint || name || array_to_string(scopes, ',')) > 0 AND id = $2",
            created.Secret[13..], created.Client.Id));
        Assert.Equal(1L, await db.ScalarAsync<long>("SELECT count(*) FROM api_clients WHERE secret_hash = sha256(convert_to($1, 'UTF8'))", created.Secret));
    }

    [Theory]
    [InlineData("", "name", ApiClientError.NameRequired)]
    [InlineData("  ", "name", ApiClientError.NameRequired)]
    [InlineData("tab\there", "name", ApiClientError.NameRequired)]
    public async Task a_bad_name_is_refused(string name, string field, ApiClientError error)
    {
        var (created, problems) = await Registry().CreateAsync(name, [ApiScopes.DeliveriesRead], null, default);

        Assert.Null(created);
        Assert.Equal((field, error), (problems[0].Field, problems[0].Error));
    }

    [Fact]
    public async Task a_long_name_no_scopes_and_unknown_scopes_are_each_refused_with_the_field_named()
    {
        var (_, tooLong) = await Registry().CreateAsync(new string('x', 101), [ApiScopes.DeliveriesRead], null, default);
        var (_, none) = await Registry().CreateAsync(NewName(), [], null, default);
        var (_, unknown) = await Registry().CreateAsync(NewName(), [ApiScopes.DeliveriesRead, "deliveries:delete"], null, default);

        Assert.Equal(new ApiClientProblem("name", ApiClientError.NameTooLong, "100"), Assert.Single(tooLong));
        Assert.Equal(new ApiClientProblem("scopes", ApiClientError.ScopesRequired), Assert.Single(none));
        Assert.Equal(new ApiClientProblem("scopes", ApiClientError.UnknownScope, "deliveries:delete"), Assert.Single(unknown));
    }

    [Fact]
    public async Task an_active_name_cannot_be_taken_twice_but_a_revoked_one_frees_it()
    {
        var registry = Registry();
        var name = NewName();
        var (first, _) = await registry.CreateAsync(name, [ApiScopes.DeliveriesRead], null, default);
        var (_, taken) = await registry.CreateAsync(" " + name + " ", [ApiScopes.DeliveriesRead], null, default);
        Assert.Equal(ApiClientError.NameTaken, Assert.Single(taken).Error);

        Assert.True(await registry.RevokeAsync(first!.Client.Id, "admin", default));
        var (second, problems) = await registry.CreateAsync(name, [ApiScopes.DeliveriesRead], null, default);
        Assert.Empty(problems);
        Assert.NotEqual(first.Client.Id, second!.Client.Id);
    }

    [Fact]
    public async Task a_secret_authenticates_its_client_with_its_scopes_and_nothing_else_does()
    {
        var registry = Registry();
        var created = await CreateAsync(registry, ApiScopes.DeliveriesRead, ApiScopes.PositionsRead);

        var caller = await registry.AuthenticateAsync(created.Secret, default);

        Assert.Equal((created.Client.Id, created.Client.Name), (caller!.ClientId, caller.Name));
        Assert.Equal([ApiScopes.DeliveriesRead, ApiScopes.PositionsRead], caller.Scopes);
        Assert.True(caller.May(ApiScopes.PositionsRead));
        Assert.False(caller.May(ApiScopes.DeliveriesWrite));
        Assert.Null(await registry.AuthenticateAsync(ApiClientSecrets.Create(), default)); // well-formed, unknown
        Assert.Null(await registry.AuthenticateAsync(created.Secret[..^1], default)); // one short
        Assert.Null(await registry.AuthenticateAsync(created.Secret[..^1] + "-", default)); // outside the alphabet
        Assert.Null(await registry.AuthenticateAsync(created.Secret[9..], default)); // without its prefix
    }

    [Fact]
    public async Task a_revoked_key_fails_at_once_on_its_node_and_on_another_node_within_the_cache_time()
    {
        var here = Registry();
        var there = Registry(new ApiClientOptions { CacheFor = TimeSpan.FromSeconds(5) });
        var created = await CreateAsync(here);
        Assert.NotNull(await here.AuthenticateAsync(created.Secret, default));
        Assert.NotNull(await there.AuthenticateAsync(created.Secret, default));
        Assert.True(there.IsKnown(created.Secret));

        Assert.True(await here.RevokeAsync(created.Client.Id, "admin@test.local", default));
        Assert.False(await here.RevokeAsync(created.Client.Id, "admin@test.local", default)); // once

        Assert.Null(await here.AuthenticateAsync(created.Secret, default));
        Assert.False(here.IsKnown(created.Secret));
        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.False(there.IsKnown(created.Secret));
        Assert.Null(await there.AuthenticateAsync(created.Secret, default));
        var listed = Assert.Single(await here.ListAsync(default), c => c.Id == created.Client.Id);
        Assert.Equal((true, (DateTimeOffset?)Now, "admin@test.local"), (listed.IsRevoked, listed.RevokedAt, listed.RevokedBy));
    }

    [Fact]
    public async Task last_use_is_written_once_per_resolution_not_on_every_call()
    {
        var registry = Registry(new ApiClientOptions { CacheFor = TimeSpan.FromSeconds(5), LastUsedResolution = TimeSpan.FromMinutes(1) });
        var created = await CreateAsync(registry);
        Assert.Null((await registry.ListAsync(default)).Single(c => c.Id == created.Client.Id).LastUsedAt);

        await registry.AuthenticateAsync(created.Secret, default);
        _time.Advance(TimeSpan.FromSeconds(30));
        await registry.AuthenticateAsync(created.Secret, default);
        Assert.Equal(Now, await LastUsedAsync(created.Client.Id));

        _time.Advance(TimeSpan.FromSeconds(31));
        await registry.AuthenticateAsync(created.Secret, default);
        Assert.Equal(Now.AddSeconds(61), await LastUsedAsync(created.Client.Id));

        // Another node that starts now knows the last use and does not write it again within the minute.
        _time.Advance(TimeSpan.FromSeconds(10));
        await Registry().AuthenticateAsync(created.Secret, default);
        Assert.Equal(Now.AddSeconds(61), await LastUsedAsync(created.Client.Id));
    }

    [Fact]
    public void options_outside_their_ranges_fail_validation()
    {
        Assert.NotEmpty(new ApiClientOptions { CacheFor = TimeSpan.FromMinutes(6) }.Validate(new(new object())));
        Assert.NotEmpty(new ApiClientOptions { LastUsedResolution = TimeSpan.Zero }.Validate(new(new object())));
        Assert.Empty(new ApiClientOptions().Validate(new(new object())));
    }

    private sealed class ContextFactory(TestDatabase db) : IDbContextFactory<SendyDbContext>
    {
        public SendyDbContext CreateDbContext() => db.CreateContext();
    }

    private async Task<DateTimeOffset> LastUsedAsync(Guid id) =>
        new(await db.ScalarAsync<DateTime>("SELECT coalesce(last_used_at, 'epoch') FROM api_clients WHERE id = $1", id), TimeSpan.Zero);
}
