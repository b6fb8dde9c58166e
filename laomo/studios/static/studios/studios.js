// The “查找劳模” helper of the studio forms: a click on a candidate puts its 劳模编号 into the field.
document.addEventListener("click", function (evt) {
  var button = evt.target.closest("[data-pick-target]");
  if (!button) return;
  evt.preventDefault();
  var input = document.getElementById(button.dataset.pickTarget);
  if (!input) return;
  var value = button.dataset.value;
  var current = input.value.replace(/[、,,;;\s]+$/, "");
  input.value = button.dataset.multi === "1" && current ? current + "、" + value : value;
  input.dispatchEvent(new Event("change", { bubbles: true }));
  var box = button.closest(".lm-picker-results");
  if (box) box.innerHTML = "";
});

// Enter in the helper's search box looks workers up; it must not submit the surrounding form.
document.addEventListener("keydown", function (evt) {
  if (evt.key === "Enter" && evt.target.closest(".lm-picker")) evt.preventDefault();
});
