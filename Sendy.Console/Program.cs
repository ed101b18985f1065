using Sendy.Console;
using Sendy.Console.Api;
using Sendy.Console.ApiDocs;
using Sendy.Console.Demo;
using Sendy.Console.Integrations;
using Sendy.Console.Security;
using Sendy.Console.Staff;
using Sendy.Console.Telemetry;
using Sendy.Engine;
using Sendy.Engine.Notifications;
using Sendy.Engine.Search;

// A floor for the thread pool. It starts with one worker per core and adds more slowly while work
// waits, so a cold node on two cores that meets a burst (status changes at 100/s fanning out to
// webhooks, Blazor circuits, the consumers) queued its continuations for 15 s and more before the
// pool had grown (the webhook bench: p99 17 s from a cold start, 1.1 s with this floor). Threads
// beyond the floor are still added and retired by the pool as usual.
ThreadPool.GetMinThreads(out var minWorkers, out var minIo);
ThreadPool.SetMinThreads(Math.Max(minWorkers, 32), minIo);

var builder = WebApplication.CreateBuilder(args);

builder.Services.AddSendyEngine(builder.Configuration);
builder.Services.AddSendyNotifications(builder.Configuration);
builder.Services.AddSendySearch(builder.Configuration);
builder.Services.AddSendyConsole(builder.Configuration);
builder.Services.AddSendyDemo(builder.Configuration);
builder.Services.AddSendySecurity(builder.Configuration, builder.Environment);
builder.Services.AddSendyStaff(builder.Configuration, builder.Environment);
builder.Services.AddSendyApiAccess();
builder.Services.AddApiFaults();
builder.Services.AddSendyApiDocs();
builder.Services.AddSendyTelemetry(builder.Configuration);

var app = builder.Build();

app.UseSendySecurity();
app.UseApiFaults();
app.UseSendyTelemetry();
app.UseSendyConsole();
app.MapSendyApi();
app.MapSendyApiDocs();
app.MapStaffEndpoints();

app.Run();

public partial class Program;
