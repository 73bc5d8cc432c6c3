package rulocale

// FyneRussian is Fyne v2.7.1's Russian translation (lang/translations/
// base.ru.json, BSD-3-Clause, the Fyne authors), corrected: Tuesday and
// Thursday were swapped, and the file dialog's title reads «Сохранить
// файл», «Открыть папку». A Go constant, not an embedded file: the package
// must import nothing but syscall (see the package comment).
const FyneRussian = `{
    "Advanced": "Расширенные",
    "Cancel": "Отмена",
    "Confirm": "Подтвердить",
    "Copy": "Копировать",
    "Create Folder": "Создать папку",
    "Cut": "Вырезать",
    "Enter filename": "Введите имя файла",
    "Error": "Ошибка",
    "Favourites": "Избранное",
    "File": "файл",
    "Folder": "папку",
    "New Folder": "Новая папка",
    "No": "Нет",
    "OK": "ОК",
    "Open": "Открыть",
    "Paste": "Вставить",
    "Quit": "Выйти",
    "Redo": "Повторить",
    "Save": "Сохранить",
    "Select all": "Выбрать всё",
    "Show Hidden Files": "Показать скрытые файлы",
    "Undo": "Отменить",
    "Yes": "Да",
    "file.name": {
        "other": "Имя"
    },
    "file.parent": {
        "other": "Вверх"
    },
    "friday": "Пятница",
    "friday.short": "Пт",
    "monday": "Понедельник",
    "monday.short": "Пн",
    "saturday": "Суббота",
    "saturday.short": "Сб",
    "sunday": "Воскресенье",
    "sunday.short": "Вс",
    "thursday": "Четверг",
    "thursday.short": "Чт",
    "tuesday": "Вторник",
    "tuesday.short": "Вт",
    "wednesday": "Среда",
    "wednesday.short": "Ср",
    "(Parent)": "(Вверх)"
}
`
