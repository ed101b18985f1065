using Sendy.Console;
using Sendy.Console.Api;
using Sendy.Console.Demo;
using Sendy.Console.Security;
using Sendy.Engine;

var builder = WebApplication.CreateBuilder(args);

builder.Services.AddSendyEngine(builder.Configuration);
builder.Services.AddSendyConsole(builder.Configuration);
builder.Services.AddSendyDemo(builder.Configuration);
builder.Services.AddSendySecurity(builder.Configuration, builder.Environment);

var app = builder.Build();

app.UseSendySecurity();
app.UseSendyConsole();
app.MapSendyApi();

app.Run();

public partial class Program;
