using Bunit;
using Microsoft.AspNetCore.Components.Rendering;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.JSInterop;
using Sendy.Console.Map;
using Sendy.Console.Tests.Infrastructure;

namespace Sendy.Console.Tests.Map;

/// <summary>A browser that does not answer a map call is expected (a closed or frozen tab): one information line, no stack trace.</summary>
public sealed class JsModuleComponentTests : SendyBunitContext
{
    private readonly LogCapture _logs = new();

    public JsModuleComponentTests() => Services.AddSingleton(_logs.Factory());

    [Fact]
    public async Task an_unanswered_call_is_one_line_without_a_stack_trace()
    {
        var module = JSInterop.SetupModule(Probe.Path);
        module.SetupVoid("create", _ => true).SetVoidResult();
        module.SetupVoid("move", _ => true).SetCanceled();
        var probe = Render<Probe>();
        probe.WaitForState(() => probe.Instance.Ready);

        await probe.InvokeAsync(() => probe.Instance.MoveAsync());

        var line = Assert.Single(_logs.Entries, e => e.Category.EndsWith(nameof(Probe), StringComparison.Ordinal));
        Assert.Equal(LogLevel.Information, line.Level);
        Assert.Contains("move got no answer from the browser", line.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(" at ", line.Message, StringComparison.Ordinal);
    }

    private sealed class Probe : JsModuleComponent<Probe>
    {
        public const string Path = "./probe.js";

        public bool Ready { get; private set; }

        protected override string Module => Path;

        protected override string DisposeFunction => "dispose";

        public Task MoveAsync() => InvokeModuleAsync("move", 1, 2);

        protected override void BuildRenderTree(RenderTreeBuilder builder) => builder.AddContent(0, "probe");

        protected override async Task CreateAsync(IJSObjectReference module) => await module.InvokeVoidAsync("create", Element);

        protected override Task OnModuleReadyAsync()
        {
            Ready = true;
            return Task.CompletedTask;
        }
    }
}
