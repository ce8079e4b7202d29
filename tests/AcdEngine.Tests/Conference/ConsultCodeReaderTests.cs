using Hotline.AcdEngine.Conference;
using Microsoft.Extensions.Options;

namespace Hotline.AcdEngine.Tests.Conference;

[TestFixture]
public sealed class ConsultCodeReaderTests
{
    [TestCase("*81#", "1")]
    [TestCase("*8123#", "123")]
    [TestCase("12*81#", "1")]
    [TestCase("**81#", "1")]
    [TestCase("*8#", null)]
    [TestCase("*81", null)]
    [TestCase("*9*1#", null)]
    [TestCase("*81234567#", null)]
    [TestCase("*8*81#", "1")]
    public void Reads_star8_code_hash_and_nothing_else(string keys, string? code)
    {
        var reader = new ConsultCodeReader("*8");
        string? last = null;
        foreach (var key in keys) last = reader.Feed(key) ?? last;
        Assert.That(last, Is.EqualTo(code));
    }

    [Test]
    public void Department_list_errors_name_the_key()
    {
        var result = new DepartmentsOptionsValidator().Validate(null, new DepartmentsOptions
        {
            List =
            [
                new DepartmentOptions { Id = "water", Code = "1", Contacts = ["2001"] },
                new DepartmentOptions { Id = "water", Code = "1x", Contacts = [], Hours = "8-18" },
            ],
        });
        Assert.That(result.Failed, Is.True);
        Assert.That(result.Failures, Is.EquivalentTo(new[]
        {
            "Departments:1:Id 'water' is used twice.",
            "Departments:1:Code must be 1 to 6 digits (keyed after the consult prefix).",
            "Departments:1:Contacts needs at least one SIP user or URI.",
            "Departments:1:Hours must look like 08:00-18:00.",
        }));
        Assert.That(new DepartmentsOptionsValidator().Validate(null, new DepartmentsOptions
        {
            List = [new DepartmentOptions { Id = "water", Code = "1", Contacts = ["2001"], Hours = "22:00-06:00" }],
        }), Is.EqualTo(ValidateOptionsResult.Success));
    }

    [TestCase("08:00-18:00", "07:59", false)]
    [TestCase("08:00-18:00", "08:00", true)]
    [TestCase("08:00-18:00", "18:00", false)]
    [TestCase("22:00-06:00", "23:30", true)]
    [TestCase("22:00-06:00", "05:59", true)]
    [TestCase("22:00-06:00", "12:00", false)]
    public void Hours_window_including_across_midnight(string window, string at, bool open)
    {
        Assert.That(DepartmentHours.TryParse(window, out var hours), Is.True);
        Assert.That(hours.IsOpen(TimeOnly.Parse(at, System.Globalization.CultureInfo.InvariantCulture)), Is.EqualTo(open));
    }
}
